//! Members: their rows, look-ups, search and probable duplicates.

use rusqlite::{params, OptionalExtension};
use sene_domain::*;

use super::{Db, R};
use crate::codec::{d, RowExt};

impl Db<'_> {
    /// Inserts a member.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_member(&self, m: &Member) -> R<()> {
        let crops: Vec<&str> = m.crops.iter().map(|c| c.code()).collect();
        self.conn.execute(
            "INSERT INTO members (id, cooperative_id, number, full_name, folded_name, sex, birth_year, village, phone, nina, crops, status, left_on, moved_to, moved_from, registered_on) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)",
            params![m.id.to_string(), m.cooperative_id.to_string(), m.number, m.full_name,
                sene_domain::validate::fold(&m.full_name), m.sex.code(), m.birth_year, m.village,
                m.phone, m.nina, crops.join(","), m.status.code(), m.left_on.map(d),
                m.moved_to.map(|x| x.to_string()), m.moved_from.map(|x| x.to_string()),
                m.registered_on.map(d)],
        )?;
        Ok(())
    }

    pub(crate) fn member_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Member> {
        let crops: String = r.get(9)?;
        Ok(Member {
            id: r.parse(0)?,
            cooperative_id: r.parse(1)?,
            number: r.get(2)?,
            full_name: r.get(3)?,
            sex: r.parse(4)?,
            birth_year: r.get(5)?,
            village: r.get(6)?,
            phone: r.get(7)?,
            nina: r.get(8)?,
            crops: crops
                .split(',')
                .filter(|s| !s.is_empty())
                .filter_map(|s| s.parse().ok())
                .collect(),
            status: r.parse(10)?,
            left_on: r.opt_parse(11)?,
            moved_to: r.opt_parse(12)?,
            moved_from: r.opt_parse(13)?,
            registered_on: r.opt_parse(14)?,
        })
    }

    pub(crate) const MEMBER_COLS: &'static str = "id, cooperative_id, number, full_name, sex, birth_year, village, phone, nina, crops, status, left_on, moved_to, moved_from, registered_on";

    /// A member by id.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn member(&self, id: MemberId) -> R<Option<Member>> {
        let sql = format!("SELECT {} FROM members WHERE id = ?1", Self::MEMBER_COLS);
        Ok(self
            .conn
            .query_row(&sql, [id.to_string()], Self::member_row)
            .optional()?)
    }

    /// A member by cooperative and number.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn member_by_number(&self, coop: CooperativeId, number: &str) -> R<Option<Member>> {
        let sql = format!(
            "SELECT {} FROM members WHERE cooperative_id = ?1 AND number = ?2",
            Self::MEMBER_COLS
        );
        Ok(self
            .conn
            .query_row(&sql, params![coop.to_string(), number], Self::member_row)
            .optional()?)
    }

    /// Members, of one cooperative or all, by number.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn members(&self, coop: Option<CooperativeId>) -> R<Vec<Member>> {
        let sql = format!(
            "SELECT {} FROM members WHERE ?1 IS NULL OR cooperative_id = ?1 ORDER BY number",
            Self::MEMBER_COLS
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map([coop.map(|c| c.to_string())], Self::member_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every member of the union, in no given order (the probable duplicates compare them all:
    /// no sort).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn all_members(&self) -> R<Vec<Member>> {
        let sql = format!("SELECT {} FROM members", Self::MEMBER_COLS);
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map([], Self::member_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The members that share with at least one other member their phone, their NINA, their
    /// number in their cooperative, or their name folded by [`sene_domain::validate::fold`]
    /// with their village in lower case (`str::to_lowercase`): every member of a group of two or
    /// more by one of these keys, in no given order, each once. What the probable duplicates
    /// of the anomaly queue compare, without reading every member: the first three from their
    /// indexes (grouped in index order, no sort), the names in one pass over the table that
    /// keeps a 64-bit hash per member (a member whose hash another shares is returned: a
    /// collision only returns one more member, whose exact key the caller compares). The
    /// birth years are the caller's to compare.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn duplicate_candidates(&self) -> R<Vec<Member>> {
        use std::hash::{Hash, Hasher};
        let mut rowids: Vec<i64> = Vec::new();
        // by name and village: (hash, rowid) of each member, then the runs of one hash
        let mut hashed: Vec<(u64, i64)> = Vec::new();
        {
            let mut st = self
                .conn
                .prepare_cached("SELECT rowid, full_name, village FROM members")?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                let name = r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
                let village = r.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?;
                // a fixed hasher: the same key gives the same hash within this call
                let mut h = std::collections::hash_map::DefaultHasher::new();
                sene_domain::validate::fold(name).hash(&mut h);
                village.to_lowercase().hash(&mut h);
                hashed.push((h.finish(), r.get(0)?));
            }
        }
        hashed.sort_unstable();
        for run in hashed.chunk_by(|a, b| a.0 == b.0) {
            if run.len() > 1 {
                rowids.extend(run.iter().map(|(_, id)| *id));
            }
        }
        // by phone, NINA and number: the groups read from each key's index
        for sql in [
            "SELECT rowid FROM members WHERE phone IN
               (SELECT phone FROM members WHERE phone IS NOT NULL GROUP BY phone HAVING count(*) > 1)",
            "SELECT rowid FROM members WHERE nina IN
               (SELECT nina FROM members WHERE nina IS NOT NULL GROUP BY nina HAVING count(*) > 1)",
            "SELECT m.rowid FROM (SELECT cooperative_id AS c, number AS n FROM members
                                  GROUP BY cooperative_id, number HAVING count(*) > 1) g
               JOIN members m ON m.cooperative_id = g.c AND m.number = g.n",
        ] {
            let mut st = self.conn.prepare_cached(sql)?;
            let ids = st.query_map([], |r| r.get::<_, i64>(0))?;
            for id in ids {
                rowids.push(id?);
            }
        }
        rowids.sort_unstable();
        rowids.dedup();
        let sql = format!("SELECT {} FROM members WHERE rowid = ?1", Self::MEMBER_COLS);
        let mut st = self.conn.prepare_cached(&sql)?;
        let mut out = Vec::with_capacity(rowids.len());
        for id in rowids {
            out.push(st.query_row([id], Self::member_row)?);
        }
        Ok(out)
    }

    /// Members whose folded name contains the folded query, or whose number or phone contains
    /// it ("traore" finds "Traoré").
    ///
    /// # Errors
    /// SQLite errors.
    pub fn search_members(&self, query: &str, limit: u32) -> R<Vec<Member>> {
        let folded = sene_domain::validate::fold(query);
        let raw = query.trim().to_uppercase();
        let sql = format!(
            "SELECT {} FROM members WHERE instr(folded_name, ?1) > 0 OR instr(number, ?2) > 0 OR instr(coalesce(phone, ''), ?3) > 0 ORDER BY folded_name LIMIT ?4",
            Self::MEMBER_COLS
        );
        let digits: String = query.chars().filter(char::is_ascii_digit).collect();
        let digits = if digits.len() >= 4 {
            digits
        } else {
            "\u{0}".into()
        };
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(params![folded, raw, digits, limit], Self::member_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Members that share the phone, the NINA, or the folded name and village with a birth
    /// year within one year: probable duplicates.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn probable_duplicates(
        &self,
        phone: Option<&str>,
        nina: Option<&str>,
        full_name: &str,
        village: &str,
        birth_year: Option<i32>,
    ) -> R<Vec<Member>> {
        let sql = format!(
            "SELECT {} FROM members WHERE (?1 IS NOT NULL AND phone = ?1) OR (?2 IS NOT NULL AND nina = ?2)
               OR (folded_name = ?3 AND lower(village) = lower(?4)
                   AND (?5 IS NULL OR birth_year IS NULL OR abs(birth_year - ?5) <= 1))
             ORDER BY number",
            Self::MEMBER_COLS
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(
            params![
                phone,
                nina,
                sene_domain::validate::fold(full_name),
                village,
                birth_year
            ],
            Self::member_row,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

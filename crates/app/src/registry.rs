//! The registry lives: members corrected, departed, reinstated or moved to another cooperative
//! of the union; cooperatives, warehouses and agents corrected; a warehouse closed, an agent
//! who left. Every change writes the record in place (the automerge document then holds only
//! the fields it names: two corrections of different fields made offline both stand, two of the
//! same field become a conflict in every store's queue) and one append-only
//! [`RegistryChange`] with each field's old and new values, the reason, who, on which device
//! and when: the history a member card shows.
//!
//! A transfer, as a careful accountant would have it (ARCHITECTURE.md, « Transfert d'un
//! membre »): the member's records stay where they were made (her contracts, advances,
//! deliveries and debts belong to the cooperative and campaign that granted them, whose
//! season documents and reports keep them); she gets a new record, with a new number, in the
//! cooperative she joins, linked both ways to the old one. So that no cooperative is left
//! with a debt it can no longer recover, a transfer is refused while she has an open contract
//! or a debt carried out of a settlement that no later settlement has taken up.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sene_domain::validate::{self, limits::NOTE_MAX, limits::TEXT_MAX};
use sene_domain::*;
use sene_store::Table;
use serde::{Deserialize, Deserializer, Serialize};

use crate::org::NewMember;
use crate::{missing, AppError, Ledger, Result, Tx};

/// `null` is a value (clear the field); an absent field is no change.
fn present<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// Correct some of a member's fields: each one named is validated as at registration; the
/// others are left as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectMember {
    /// The change's id (a retry with the same id and content changes nothing).
    #[serde(default)]
    pub id: Option<RegistryChangeId>,
    pub member_id: MemberId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    /// `Some(None)`: the birth year is no longer known.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub birth_year: Option<Option<i32>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub village: Option<String>,
    /// `Some(None)`: no phone any more.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub phone: Option<Option<String>>,
    /// `Some(None)`: the NINA removed (written in error).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub nina: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crops: Option<Vec<CropFamily>>,
    pub reason: String,
}

/// A member who left the cooperative, died, or was excluded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberDeparted {
    #[serde(default)]
    pub id: Option<RegistryChangeId>,
    pub member_id: MemberId,
    /// `left`, `deceased` or `excluded`.
    pub status: MemberStatus,
    pub on: NaiveDate,
    pub reason: String,
}

/// A departure recorded in error, undone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReinstateMember {
    #[serde(default)]
    pub id: Option<RegistryChangeId>,
    pub member_id: MemberId,
    pub reason: String,
}

/// A member moving to another cooperative of the union.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferMember {
    /// The change's id on the record she leaves (the one on her new record is derived).
    #[serde(default)]
    pub id: Option<RegistryChangeId>,
    pub member_id: MemberId,
    pub to_cooperative: CooperativeId,
    /// Her number in the cooperative she joins.
    pub new_number: String,
    /// Her new record's id.
    #[serde(default)]
    pub new_member_id: Option<MemberId>,
    pub on: NaiveDate,
    pub reason: String,
}

/// Correct a cooperative (secretariat); its code too.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectCooperative {
    #[serde(default)]
    pub id: Option<RegistryChangeId>,
    pub cooperative_id: CooperativeId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub village: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commune: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cercle: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub reason: String,
}

/// Rename a warehouse or change its capacity (secretariat).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectWarehouse {
    #[serde(default)]
    pub id: Option<RegistryChangeId>,
    pub warehouse_id: WarehouseId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub capacity: Option<Option<Kg>>,
    pub reason: String,
}

/// Correct an agent's name or phone (secretariat).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectAgent {
    #[serde(default)]
    pub id: Option<RegistryChangeId>,
    pub agent_id: AgentId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub phone: Option<Option<String>>,
    pub reason: String,
}

/// A warehouse closed, or an agent who left, from a date (secretariat).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloseRecord {
    #[serde(default)]
    pub id: Option<RegistryChangeId>,
    pub on: NaiveDate,
    pub reason: String,
}

/// What a correction did: the change kept in the history, the record as it now reads, and
/// the members it now looks like (put in the conflict queue as a probable duplicate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberCorrected {
    pub change: RegistryChange,
    pub member: Member,
    pub look_alikes: Vec<Member>,
}

/// A transfer: the record she left and the one she has now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberTransferred {
    pub left: Member,
    pub joined: Member,
    pub changes: [RegistryChange; 2],
}

/// One field's change in a member's history, for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub change: RegistryChange,
    /// The agent's name.
    pub agent: String,
    /// The device's label.
    pub device: String,
}

/// Whether a member may get a new contract or advance dated `date`: still active, or gone
/// only after that date (the rule [`Tx::request_contract`] and [`Tx::disburse_advance`] apply;
/// the window asks it to offer neither to a member gone).
#[must_use]
pub fn present_on(m: &Member, date: NaiveDate) -> bool {
    m.status == MemberStatus::Active || m.left_on.is_some_and(|d| date < d)
}

/// A registry field's name for a person, in French or English (`phone` → « téléphone »).
#[must_use]
pub fn field_label(field: &str, lang: Lang) -> &str {
    let (fr, en) = match field {
        "number" => ("numéro", "number"),
        "full_name" => ("nom", "name"),
        "sex" => ("sexe", "sex"),
        "birth_year" => ("année de naissance", "birth year"),
        "village" => ("village", "village"),
        "phone" => ("téléphone", "phone"),
        "nina" => ("NINA", "NINA"),
        "crops" => ("filières", "crops"),
        "status" => ("statut", "status"),
        "left_on" => ("date de départ", "departure date"),
        "cooperative_id" => ("coopérative", "cooperative"),
        "name" => ("nom", "name"),
        "code" => ("code", "code"),
        "commune" => ("commune", "commune"),
        "cercle" => ("cercle", "cercle"),
        "region" => ("région", "region"),
        "capacity_t" => ("capacité", "capacity"),
        "closed_on" => ("date de fermeture", "closing date"),
        other => (other, other),
    };
    if lang == Lang::Fr {
        fr
    } else {
        en
    }
}

/// The fields of a change in the order a person looks for them: the status first, then the
/// card's fields as it shows them.
pub const FIELD_ORDER: &[&str] = &[
    "status",
    "left_on",
    "closed_on",
    "cooperative_id",
    "number",
    "code",
    "full_name",
    "name",
    "sex",
    "birth_year",
    "village",
    "commune",
    "cercle",
    "region",
    "phone",
    "nina",
    "crops",
    "capacity_t",
];

/// A value of a change as stored (codes, ISO dates, tenths of kg, ids), as a person reads it:
/// statuses, sexes and crops in words, dates `15/01/2027`, a cooperative by name; `—` for none.
#[must_use]
pub fn value_text(db: &sene_store::Db<'_>, field: &str, v: Option<&str>, lang: Lang) -> String {
    let Some(v) = v else {
        return "—".to_owned();
    };
    let words = |fr: &str, en: &str| if lang == Lang::Fr { fr } else { en }.to_owned();
    match field {
        "status" => v
            .parse::<MemberStatus>()
            .map_or_else(|_| v.to_owned(), |s| words(s.label_fr(), s.label_en())),
        "sex" => v
            .parse::<Sex>()
            .map_or_else(|_| v.to_owned(), |s| words(s.label_fr(), s.label_en())),
        "crops" => {
            let names: Vec<String> = v
                .split(',')
                .filter(|c| !c.is_empty())
                .map(|c| {
                    c.parse::<CropFamily>()
                        .map_or_else(|_| c.to_owned(), |c| words(c.label_fr(), c.label_en()))
                })
                .collect();
            if names.is_empty() {
                "—".to_owned()
            } else {
                names.join(", ")
            }
        }
        "left_on" | "closed_on" => {
            NaiveDate::parse_from_str(v, "%Y-%m-%d").map_or_else(|_| v.to_owned(), day)
        }
        "cooperative_id" => v
            .parse::<CooperativeId>()
            .ok()
            .and_then(|id| db.cooperative(id).ok().flatten())
            .map_or_else(|| v.to_owned(), |c| c.name),
        "capacity_t" => v
            .parse::<i64>()
            .ok()
            .and_then(|t| Kg::from_tenths(t).ok())
            .map_or_else(|| v.to_owned(), |k| k.to_string()),
        _ => v.to_owned(),
    }
}

/// A change's fields in [`FIELD_ORDER`], each as `(field, label, old, new)` in words.
#[must_use]
pub fn worded(
    db: &sene_store::Db<'_>,
    change: &RegistryChange,
    lang: Lang,
) -> Vec<(String, String, String, String)> {
    let rank = |f: &str| {
        FIELD_ORDER
            .iter()
            .position(|x| *x == f)
            .unwrap_or(FIELD_ORDER.len())
    };
    let mut fields: Vec<_> = change.changes.iter().collect();
    fields.sort_by_key(|(f, _)| rank(f));
    fields
        .into_iter()
        .map(|(f, (old, new))| {
            (
                f.clone(),
                field_label(f, lang).to_owned(),
                value_text(db, f, old.as_deref(), lang),
                value_text(db, f, new.as_deref(), lang),
            )
        })
        .collect()
}

fn refused(fr: String, en: String) -> AppError {
    AppError::Registry { fr, en }
}

fn day(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

type Changes = BTreeMap<String, (Option<String>, Option<String>)>;

/// Puts `field` in `changes` when its stored text differs.
fn diff(changes: &mut Changes, field: &str, old: Option<String>, new: Option<String>) {
    if old != new {
        changes.insert(field.to_owned(), (old, new));
    }
}

fn crops_text(c: &[CropFamily]) -> Option<String> {
    Some(c.iter().map(|c| c.code()).collect::<Vec<_>>().join(","))
}

impl Tx<'_, '_> {
    fn reason(&self, reason: &str) -> Result<String> {
        Ok(validate::text("motif", reason, NOTE_MAX)?)
    }

    /// A departure, transfer or closing date: not in the future, not before `since`.
    fn effective(&self, on: NaiveDate, since: Option<NaiveDate>, what: (&str, &str)) -> Result<()> {
        let today = self.now.date_naive();
        if on > today {
            return Err(refused(
                format!("la date du {} ({}) est dans le futur", what.0, day(on)),
                format!("the {} date ({}) is in the future", what.1, day(on)),
            ));
        }
        if let Some(s) = since {
            if on < s {
                return Err(refused(
                    format!(
                        "la date du {} ({}) est avant l'inscription du {}",
                        what.0,
                        day(on),
                        day(s)
                    ),
                    format!(
                        "the {} date ({}) is before the registration on {}",
                        what.1,
                        day(on),
                        day(s)
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Idempotency of a change: the same id with the same command is a no-op (`Some` of the
    /// change kept); with another command, [`AppError::IdConflict`].
    fn repeat<C: Serialize>(
        &self,
        action: &str,
        id: RegistryChangeId,
        cmd: &C,
    ) -> Result<Option<RegistryChange>> {
        if self.fresh(
            Table::RegistryChanges,
            action,
            "changement du registre",
            &id.to_string(),
            cmd,
        )? == crate::Fresh::Repeat
        {
            return Ok(self.db.registry_change(&id.to_string())?);
        }
        Ok(None)
    }

    #[allow(clippy::too_many_arguments)]
    fn keep(
        &self,
        id: RegistryChangeId,
        table: Table,
        record_id: String,
        cooperative_id: Option<CooperativeId>,
        action: RegistryAction,
        changes: Changes,
        reason: String,
        effective_on: Option<NaiveDate>,
    ) -> Result<RegistryChange> {
        let c = RegistryChange {
            id,
            record_table: table.name().to_owned(),
            record_id,
            cooperative_id,
            action,
            changes,
            reason,
            effective_on,
            agent_id: self.actor.agent,
            device_id: self.actor.device,
            at: self.now,
        };
        self.db.insert_registry_change(&c)?;
        Ok(c)
    }

    /// Since when she is known to be a member: the day she was registered, or her first
    /// contract's date when that is earlier (the demo's members, or paper records typed in
    /// after the season began). Unknown for members registered before the registry's history
    /// who have no contract.
    fn member_since(&self, m: &Member) -> Result<Option<NaiveDate>> {
        let first = self
            .db
            .member_contracts(m.id, None)?
            .iter()
            .map(|c| c.requested_on)
            .min();
        Ok(match (m.registered_on, first) {
            (Some(r), Some(f)) => Some(r.min(f)),
            (r, f) => r.or(f),
        })
    }

    fn member_of(&self, id: MemberId) -> Result<Member> {
        self.db.member(id)?.ok_or_else(|| missing("membre", id))
    }

    /// Corrects some of a member's fields, each validated as at registration, with a reason.
    /// Only the fields that change are written (and reach the other devices); the correction
    /// is kept in the member's history. Duplicate detection runs again on the corrected
    /// member: look-alikes go to the conflict queue.
    ///
    /// # Errors
    /// Validation, unknown member, [`AppError::DuplicateMemberNumber`],
    /// [`AppError::Registry`] when nothing changes, [`AppError::IdConflict`].
    pub fn correct_member(&self, cmd: CorrectMember) -> Result<MemberCorrected> {
        let id = cmd.id.unwrap_or_default();
        let cmd = CorrectMember {
            id: Some(id),
            ..cmd
        };
        if let Some(change) = self.repeat("correct_member", id, &cmd)? {
            let member = self.member_of(cmd.member_id)?;
            return Ok(MemberCorrected {
                change,
                member,
                look_alikes: Vec::new(),
            });
        }
        let reason = self.reason(&cmd.reason)?;
        let old = self.member_of(cmd.member_id)?;
        let asked = NewMember {
            id: Some(old.id),
            cooperative_id: old.cooperative_id,
            number: cmd.number.clone().unwrap_or_else(|| old.number.clone()),
            full_name: cmd
                .full_name
                .clone()
                .unwrap_or_else(|| old.full_name.clone()),
            sex: cmd.sex.unwrap_or(old.sex),
            birth_year: cmd.birth_year.unwrap_or(old.birth_year),
            village: cmd.village.clone().unwrap_or_else(|| old.village.clone()),
            phone: cmd.phone.clone().unwrap_or_else(|| old.phone.clone()),
            nina: cmd.nina.clone().unwrap_or_else(|| old.nina.clone()),
            crops: cmd.crops.clone().unwrap_or_else(|| old.crops.clone()),
        };
        let checked = self.member_from(&asked)?;
        let new = Member {
            status: old.status,
            left_on: old.left_on,
            moved_to: old.moved_to,
            moved_from: old.moved_from,
            registered_on: old.registered_on,
            ..checked
        };
        let mut changes = Changes::new();
        diff(
            &mut changes,
            "number",
            Some(old.number.clone()),
            Some(new.number.clone()),
        );
        diff(
            &mut changes,
            "full_name",
            Some(old.full_name.clone()),
            Some(new.full_name.clone()),
        );
        diff(
            &mut changes,
            "sex",
            Some(old.sex.code().into()),
            Some(new.sex.code().into()),
        );
        diff(
            &mut changes,
            "birth_year",
            old.birth_year.map(|y| y.to_string()),
            new.birth_year.map(|y| y.to_string()),
        );
        diff(
            &mut changes,
            "village",
            Some(old.village.clone()),
            Some(new.village.clone()),
        );
        diff(&mut changes, "phone", old.phone.clone(), new.phone.clone());
        diff(&mut changes, "nina", old.nina.clone(), new.nina.clone());
        diff(
            &mut changes,
            "crops",
            crops_text(&old.crops),
            crops_text(&new.crops),
        );
        if changes.is_empty() {
            return Err(AppError::NothingToCorrect {
                what_fr: format!("la fiche de {} ({})", old.full_name, old.number),
                what_en: format!("the card of {} ({})", old.full_name, old.number),
            });
        }
        if changes.contains_key("number") {
            if let Some(other) = self.db.member_by_number(new.cooperative_id, &new.number)? {
                if other.id != new.id {
                    let coop = self
                        .db
                        .cooperative(new.cooperative_id)?
                        .map_or_else(String::new, |c| c.name);
                    return Err(AppError::DuplicateMemberNumber {
                        number: new.number,
                        cooperative: coop,
                    });
                }
            }
        }
        self.db.update_member(&new)?;
        let change = self.keep(
            id,
            Table::Members,
            new.id.to_string(),
            Some(new.cooperative_id),
            RegistryAction::Correct,
            changes,
            reason,
            None,
        )?;
        self.audit("correct_member", "registry_change", &id.to_string(), &cmd)?;
        let look_alikes = self.flag_look_alikes(&new)?;
        Ok(MemberCorrected {
            change,
            member: new,
            look_alikes,
        })
    }

    /// A corrected (or moved) member's look-alikes, queued as a probable duplicate as a
    /// merge would queue them.
    fn flag_look_alikes(&self, m: &Member) -> Result<Vec<Member>> {
        let doc = sene_sync::DocId::Registry(m.cooperative_id);
        let now = self
            .now
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let mut merges = None;
        let alikes = self.db.look_alikes(Table::Members, &m.id.to_string())?;
        sene_sync::engine::flag_look_alikes(
            self.db,
            &doc,
            Table::Members,
            &m.id.to_string(),
            &now,
            &mut merges,
            alikes.clone(),
        )?;
        let mut out = Vec::new();
        for o in alikes {
            if let Ok(o) = o.parse::<MemberId>() {
                let settled = merges
                    .as_ref()
                    .is_some_and(|g: &sene_domain::merges::Merges| g.settled(m.id, o));
                if !settled {
                    if let Some(x) = self.db.member(o)? {
                        out.push(x);
                    }
                }
            }
        }
        Ok(out)
    }

    /// Records that a member left the cooperative, died or was excluded, from a date. Her
    /// records stay in every report of the campaigns she took part in; she can no longer get a
    /// new contract or advance; a record dated on or after her departure that another device
    /// made goes to the anomaly queue.
    ///
    /// # Errors
    /// Validation, unknown member, [`AppError::Registry`] (not a departure, already gone, a
    /// date in the future or before her registration), [`AppError::IdConflict`].
    pub fn member_departed(&self, cmd: MemberDeparted) -> Result<RegistryChange> {
        let id = cmd.id.unwrap_or_default();
        let cmd = MemberDeparted {
            id: Some(id),
            ..cmd
        };
        if let Some(change) = self.repeat("member_departed", id, &cmd)? {
            return Ok(change);
        }
        let reason = self.reason(&cmd.reason)?;
        if !cmd.status.is_departure() {
            return Err(refused(
                format!(
                    "« {} » n'est pas un départ : parti, décédé ou exclu",
                    cmd.status.label_fr()
                ),
                format!(
                    "\"{}\" is not a departure: left, deceased or excluded",
                    cmd.status.label_en()
                ),
            ));
        }
        let old = self.member_of(cmd.member_id)?;
        self.still_active(&old)?;
        self.effective(cmd.on, self.member_since(&old)?, ("départ", "departure"))?;
        let new = Member {
            status: cmd.status,
            left_on: Some(cmd.on),
            ..old.clone()
        };
        self.db.update_member(&new)?;
        let mut changes = Changes::new();
        diff(
            &mut changes,
            "status",
            Some(old.status.code().into()),
            Some(new.status.code().into()),
        );
        diff(&mut changes, "left_on", None, Some(cmd.on.to_string()));
        let change = self.keep(
            id,
            Table::Members,
            old.id.to_string(),
            Some(old.cooperative_id),
            RegistryAction::Depart,
            changes,
            reason,
            Some(cmd.on),
        )?;
        self.audit("member_departed", "registry_change", &id.to_string(), &cmd)?;
        Ok(change)
    }

    /// Refuses a new contract or advance for a member gone on `date` (her departure dated on
    /// or before it; a record dated before her departure is still taken).
    pub(crate) fn present_on(&self, m: &Member, date: NaiveDate) -> Result<()> {
        if present_on(m, date) {
            return Ok(());
        }
        self.still_active(m)
    }

    /// Refuses a delivery into a warehouse closed on or before `date`.
    pub(crate) fn warehouse_open_on(&self, w: &Warehouse, date: NaiveDate) -> Result<()> {
        match self.db.warehouse_closed_on(w.id)? {
            Some(on) if date >= on => Err(refused(
                format!(
                    "le magasin {} est fermé depuis le {} : choisissez un autre magasin",
                    w.name,
                    day(on)
                ),
                format!(
                    "warehouse {} is closed since {}: choose another warehouse",
                    w.name,
                    day(on)
                ),
            )),
            _ => Ok(()),
        }
    }

    fn still_active(&self, m: &Member) -> Result<()> {
        if m.status == MemberStatus::Active {
            return Ok(());
        }
        let since = m.left_on.map(day).unwrap_or_default();
        Err(refused(
            format!(
                "{} ({}) n'est plus membre : {} depuis le {since}",
                m.full_name,
                m.number,
                m.status.label_fr()
            ),
            format!(
                "{} ({}) is no longer a member: {} since {since}",
                m.full_name,
                m.number,
                m.status.label_en()
            ),
        ))
    }

    /// Undoes a departure recorded in error: the member is active again; the departure stays
    /// in her history.
    ///
    /// # Errors
    /// Validation, unknown member, [`AppError::Registry`] (not departed, or transferred: a
    /// transfer is undone by a transfer back), [`AppError::IdConflict`].
    pub fn reinstate_member(&self, cmd: ReinstateMember) -> Result<RegistryChange> {
        let id = cmd.id.unwrap_or_default();
        let cmd = ReinstateMember {
            id: Some(id),
            ..cmd
        };
        if let Some(change) = self.repeat("reinstate_member", id, &cmd)? {
            return Ok(change);
        }
        let reason = self.reason(&cmd.reason)?;
        let old = self.member_of(cmd.member_id)?;
        if !old.status.is_departure() {
            return Err(refused(
                format!(
                    "{} ({}) n'a pas de départ à annuler ({})",
                    old.full_name,
                    old.number,
                    old.status.label_fr()
                ),
                format!(
                    "{} ({}) has no departure to undo ({})",
                    old.full_name,
                    old.number,
                    old.status.label_en()
                ),
            ));
        }
        let new = Member {
            status: MemberStatus::Active,
            left_on: None,
            ..old.clone()
        };
        self.db.update_member(&new)?;
        let mut changes = Changes::new();
        diff(
            &mut changes,
            "status",
            Some(old.status.code().into()),
            Some(new.status.code().into()),
        );
        diff(
            &mut changes,
            "left_on",
            old.left_on.map(|d| d.to_string()),
            None,
        );
        let change = self.keep(
            id,
            Table::Members,
            old.id.to_string(),
            Some(old.cooperative_id),
            RegistryAction::Reinstate,
            changes,
            reason,
            None,
        )?;
        self.audit("reinstate_member", "registry_change", &id.to_string(), &cmd)?;
        Ok(change)
    }

    /// Moves a member to another cooperative of the union (secretariat): a new record there
    /// with a new number, linked both ways to the one she leaves, which keeps her records.
    /// Refused while she has an open contract or a carried debt not yet taken up by a later
    /// settlement (see the module's documentation).
    ///
    /// # Errors
    /// [`AppError::Forbidden`], validation, unknown member or cooperative,
    /// [`AppError::DuplicateMemberNumber`], [`AppError::Registry`], [`AppError::IdConflict`].
    pub fn transfer_member(&self, cmd: TransferMember) -> Result<MemberTransferred> {
        self.require(self.role.may_configure(), "transférer un membre")?;
        let id = cmd.id.unwrap_or_default();
        let new_id = cmd.new_member_id.unwrap_or_default();
        let cmd = TransferMember {
            id: Some(id),
            new_member_id: Some(new_id),
            ..cmd
        };
        if let Some(change) = self.repeat("transfer_member", id, &cmd)? {
            let left = self.member_of(cmd.member_id)?;
            let joined = self.member_of(new_id)?;
            let arrived = self
                .db
                .registry_changes_of(Table::Members.name(), &new_id.to_string())?
                .into_iter()
                .find(|c| c.action == RegistryAction::TransferIn)
                .unwrap_or_else(|| change.clone());
            return Ok(MemberTransferred {
                left,
                joined,
                changes: [change, arrived],
            });
        }
        let reason = self.reason(&cmd.reason)?;
        let old = self.member_of(cmd.member_id)?;
        self.still_active(&old)?;
        let to = self
            .db
            .cooperative(cmd.to_cooperative)?
            .ok_or_else(|| missing("coopérative", cmd.to_cooperative))?;
        if to.id == old.cooperative_id {
            return Err(refused(
                format!(
                    "{} ({}) est déjà membre de {}",
                    old.full_name, old.number, to.name
                ),
                format!(
                    "{} ({}) is already a member of {}",
                    old.full_name, old.number, to.name
                ),
            ));
        }
        self.effective(cmd.on, self.member_since(&old)?, ("transfert", "transfer"))?;
        let open: Vec<Contract> = self
            .db
            .member_contracts(old.id, None)?
            .into_iter()
            .filter(|c| {
                matches!(
                    c.state,
                    ContractState::Requested
                        | ContractState::Approved
                        | ContractState::Disbursed
                        | ContractState::Delivering
                )
            })
            .collect();
        if !open.is_empty() {
            let n = open.len();
            return Err(refused(
                format!("{} ({}) a {n} contrat(s) en cours dans sa coopérative : ils se soldent (livraison, règlement) ou s'annulent là où l'avance a été donnée, avant le transfert", old.full_name, old.number),
                format!("{} ({}) has {n} open contract(s) in her cooperative: they are settled (delivery, settlement) or cancelled where the advance was given, before the transfer", old.full_name, old.number),
            ));
        }
        let mut owed = Money::ZERO;
        for (into, amount) in self.db.member_debts_carried(old.id)? {
            if self.db.debt_carry(old.id, into)?.is_none() {
                owed = owed.checked_add(amount)?;
            }
        }
        if owed > Money::ZERO {
            return Err(refused(
                format!("{} ({}) doit encore {owed} reportés d'un règlement : la dette se règle dans sa coopérative avant le transfert", old.full_name, old.number),
                format!("{} ({}) still owes {owed} carried from a settlement: the debt is settled in her cooperative before the transfer", old.full_name, old.number),
            ));
        }
        let number = validate::code(
            "numéro de membre",
            &cmd.new_number,
            validate::limits::MEMBER_NUMBER_MAX,
        )?;
        if self.db.member_by_number(to.id, &number)?.is_some() {
            return Err(AppError::DuplicateMemberNumber {
                number,
                cooperative: to.name,
            });
        }
        if self.db.member(new_id)?.is_some() {
            return Err(AppError::IdConflict {
                kind: "membre",
                id: new_id.to_string(),
            });
        }
        let joined = Member {
            id: new_id,
            cooperative_id: to.id,
            number: number.clone(),
            status: MemberStatus::Active,
            left_on: None,
            moved_to: None,
            moved_from: Some(old.id),
            registered_on: Some(cmd.on),
            ..old.clone()
        };
        self.db.insert_member(&joined)?;
        let left = Member {
            status: MemberStatus::Transferred,
            left_on: Some(cmd.on),
            moved_to: Some(new_id),
            ..old.clone()
        };
        self.db.update_member(&left)?;
        let mut out = Changes::new();
        diff(
            &mut out,
            "status",
            Some(old.status.code().into()),
            Some(left.status.code().into()),
        );
        diff(&mut out, "left_on", None, Some(cmd.on.to_string()));
        diff(
            &mut out,
            "cooperative_id",
            Some(old.cooperative_id.to_string()),
            Some(to.id.to_string()),
        );
        diff(
            &mut out,
            "number",
            Some(old.number.clone()),
            Some(number.clone()),
        );
        let mut arrived = out.clone();
        arrived.remove("status");
        arrived.remove("left_on");
        let c1 = self.keep(
            id,
            Table::Members,
            old.id.to_string(),
            Some(old.cooperative_id),
            RegistryAction::TransferOut,
            out,
            reason.clone(),
            Some(cmd.on),
        )?;
        let c2 = self.keep(
            RegistryChangeId::default(),
            Table::Members,
            new_id.to_string(),
            Some(to.id),
            RegistryAction::TransferIn,
            arrived,
            reason,
            Some(cmd.on),
        )?;
        self.audit("transfer_member", "registry_change", &id.to_string(), &cmd)?;
        Ok(MemberTransferred {
            left,
            joined,
            changes: [c1, c2],
        })
    }

    /// Corrects a cooperative (secretariat).
    ///
    /// # Errors
    /// [`AppError::Forbidden`], validation, [`AppError::Taken`] for a code in use,
    /// [`AppError::Registry`] when nothing changes, [`AppError::IdConflict`].
    pub fn correct_cooperative(&self, cmd: CorrectCooperative) -> Result<RegistryChange> {
        self.require(self.role.may_configure(), "configurer l'union")?;
        let id = cmd.id.unwrap_or_default();
        let cmd = CorrectCooperative {
            id: Some(id),
            ..cmd
        };
        if let Some(change) = self.repeat("correct_cooperative", id, &cmd)? {
            return Ok(change);
        }
        let reason = self.reason(&cmd.reason)?;
        let old = self
            .db
            .cooperative(cmd.cooperative_id)?
            .ok_or_else(|| missing("coopérative", cmd.cooperative_id))?;
        let pick = |v: &Option<String>, o: &str| v.clone().unwrap_or_else(|| o.to_owned());
        let new = Cooperative {
            id: old.id,
            code: validate::code("code de coopérative", &pick(&cmd.code, &old.code), 8)?,
            name: validate::text("nom", &pick(&cmd.name, &old.name), TEXT_MAX)?,
            village: validate::text("village", &pick(&cmd.village, &old.village), TEXT_MAX)?,
            commune: validate::text("commune", &pick(&cmd.commune, &old.commune), TEXT_MAX)?,
            cercle: validate::text("cercle", &pick(&cmd.cercle, &old.cercle), TEXT_MAX)?,
            region: validate::text("région", &pick(&cmd.region, &old.region), TEXT_MAX)?,
        };
        let mut changes = Changes::new();
        for (f, a, b) in [
            ("code", &old.code, &new.code),
            ("name", &old.name, &new.name),
            ("village", &old.village, &new.village),
            ("commune", &old.commune, &new.commune),
            ("cercle", &old.cercle, &new.cercle),
            ("region", &old.region, &new.region),
        ] {
            diff(&mut changes, f, Some(a.clone()), Some(b.clone()));
        }
        if changes.is_empty() {
            return Err(AppError::NothingToCorrect {
                what_fr: format!("la coopérative {}", old.name),
                what_en: format!("cooperative {}", old.name),
            });
        }
        if changes.contains_key("code") {
            if let Some(o) = self.db.cooperative_by_code(&new.code)? {
                if o.id != new.id {
                    return Err(AppError::Taken {
                        what: "le code de coopérative",
                        value: new.code,
                    });
                }
            }
        }
        self.db.update_cooperative(&new)?;
        let change = self.keep(
            id,
            Table::Cooperatives,
            old.id.to_string(),
            None,
            RegistryAction::Correct,
            changes,
            reason,
            None,
        )?;
        self.audit(
            "correct_cooperative",
            "registry_change",
            &id.to_string(),
            &cmd,
        )?;
        Ok(change)
    }

    /// Renames a warehouse or changes its capacity (secretariat).
    ///
    /// # Errors
    /// [`AppError::Forbidden`], validation, [`AppError::Taken`] for a name in use in the
    /// cooperative, [`AppError::Registry`] when nothing changes, [`AppError::IdConflict`].
    pub fn correct_warehouse(&self, cmd: CorrectWarehouse) -> Result<RegistryChange> {
        self.require(self.role.may_configure(), "configurer l'union")?;
        let id = cmd.id.unwrap_or_default();
        let cmd = CorrectWarehouse {
            id: Some(id),
            ..cmd
        };
        if let Some(change) = self.repeat("correct_warehouse", id, &cmd)? {
            return Ok(change);
        }
        let reason = self.reason(&cmd.reason)?;
        let old = self
            .db
            .warehouse(cmd.warehouse_id)?
            .ok_or_else(|| missing("magasin", cmd.warehouse_id))?;
        let new = Warehouse {
            name: match &cmd.name {
                Some(n) => validate::text("nom du magasin", n, TEXT_MAX)?,
                None => old.name.clone(),
            },
            capacity: match cmd.capacity {
                Some(c) => c
                    .map(|k| validate::positive_kg("capacité", k, validate::limits::LOT_KG_MAX))
                    .transpose()?,
                None => old.capacity,
            },
            ..old.clone()
        };
        let mut changes = Changes::new();
        diff(
            &mut changes,
            "name",
            Some(old.name.clone()),
            Some(new.name.clone()),
        );
        diff(
            &mut changes,
            "capacity_t",
            old.capacity.map(|k| k.tenths().to_string()),
            new.capacity.map(|k| k.tenths().to_string()),
        );
        if changes.is_empty() {
            return Err(AppError::NothingToCorrect {
                what_fr: format!("le magasin {}", old.name),
                what_en: format!("warehouse {}", old.name),
            });
        }
        if changes.contains_key("name")
            && self
                .db
                .warehouses(Some(old.cooperative_id))?
                .iter()
                .any(|w| w.id != old.id && w.name == new.name)
        {
            return Err(AppError::Taken {
                what: "le nom de magasin",
                value: new.name,
            });
        }
        self.db.update_warehouse(&new)?;
        let change = self.keep(
            id,
            Table::Warehouses,
            old.id.to_string(),
            Some(old.cooperative_id),
            RegistryAction::Correct,
            changes,
            reason,
            None,
        )?;
        self.audit(
            "correct_warehouse",
            "registry_change",
            &id.to_string(),
            &cmd,
        )?;
        Ok(change)
    }

    /// Closes a warehouse from a date (secretariat): no delivery into it on or after that
    /// date; its stock and history stay.
    ///
    /// # Errors
    /// [`AppError::Forbidden`], validation, unknown warehouse, [`AppError::Registry`] (already
    /// closed, a date in the future), [`AppError::IdConflict`].
    pub fn close_warehouse(
        &self,
        warehouse: WarehouseId,
        cmd: CloseRecord,
    ) -> Result<RegistryChange> {
        self.require(self.role.may_configure(), "configurer l'union")?;
        let id = cmd.id.unwrap_or_default();
        let cmd = CloseRecord {
            id: Some(id),
            ..cmd
        };
        if let Some(change) = self.repeat("close_warehouse", id, &(warehouse, &cmd))? {
            return Ok(change);
        }
        let reason = self.reason(&cmd.reason)?;
        let w = self
            .db
            .warehouse(warehouse)?
            .ok_or_else(|| missing("magasin", warehouse))?;
        if let Some(on) = self.db.warehouse_closed_on(warehouse)? {
            return Err(refused(
                format!("le magasin {} est déjà fermé depuis le {}", w.name, day(on)),
                format!("warehouse {} is already closed since {}", w.name, day(on)),
            ));
        }
        self.effective(cmd.on, None, ("fermeture", "closing"))?;
        self.db.set_warehouse_closed(warehouse, Some(cmd.on))?;
        let mut changes = Changes::new();
        diff(&mut changes, "closed_on", None, Some(cmd.on.to_string()));
        let change = self.keep(
            id,
            Table::Warehouses,
            w.id.to_string(),
            Some(w.cooperative_id),
            RegistryAction::Close,
            changes,
            reason,
            Some(cmd.on),
        )?;
        self.audit(
            "close_warehouse",
            "registry_change",
            &id.to_string(),
            &(warehouse, &cmd),
        )?;
        Ok(change)
    }

    /// Corrects an agent's name or phone (secretariat).
    ///
    /// # Errors
    /// [`AppError::Forbidden`], validation, unknown agent, [`AppError::Registry`] when nothing
    /// changes, [`AppError::IdConflict`].
    pub fn correct_agent(&self, cmd: CorrectAgent) -> Result<RegistryChange> {
        self.require(self.role.may_configure(), "configurer l'union")?;
        let id = cmd.id.unwrap_or_default();
        let cmd = CorrectAgent {
            id: Some(id),
            ..cmd
        };
        if let Some(change) = self.repeat("correct_agent", id, &cmd)? {
            return Ok(change);
        }
        let reason = self.reason(&cmd.reason)?;
        let old = self
            .db
            .agent(cmd.agent_id)?
            .ok_or_else(|| missing("agent", cmd.agent_id))?;
        let name = match &cmd.name {
            Some(n) => validate::text("nom", n, TEXT_MAX)?,
            None => old.name.clone(),
        };
        let phone = match &cmd.phone {
            Some(Some(p)) if !p.trim().is_empty() => Some(validate::phone(p)?),
            Some(_) => None,
            None => old.phone.clone(),
        };
        let mut changes = Changes::new();
        diff(
            &mut changes,
            "name",
            Some(old.name.clone()),
            Some(name.clone()),
        );
        diff(&mut changes, "phone", old.phone.clone(), phone.clone());
        if changes.is_empty() {
            return Err(AppError::NothingToCorrect {
                what_fr: format!("l'agent {}", old.name),
                what_en: format!("agent {}", old.name),
            });
        }
        self.db.update_agent(old.id, &name, phone.as_deref())?;
        let change = self.keep(
            id,
            Table::Agents,
            old.id.to_string(),
            None,
            RegistryAction::Correct,
            changes,
            reason,
            None,
        )?;
        self.audit("correct_agent", "registry_change", &id.to_string(), &cmd)?;
        Ok(change)
    }

    /// Records that an agent left the union's service from a date (secretariat): from then on
    /// they record nothing; what they recorded stays theirs.
    ///
    /// # Errors
    /// [`AppError::Forbidden`], validation, unknown agent, [`AppError::Registry`] (already
    /// gone, the acting agent themself, a date in the future), [`AppError::IdConflict`].
    pub fn agent_left(&self, agent: AgentId, cmd: CloseRecord) -> Result<RegistryChange> {
        self.require(self.role.may_configure(), "configurer l'union")?;
        let id = cmd.id.unwrap_or_default();
        let cmd = CloseRecord {
            id: Some(id),
            ..cmd
        };
        if let Some(change) = self.repeat("agent_left", id, &(agent, &cmd))? {
            return Ok(change);
        }
        let reason = self.reason(&cmd.reason)?;
        let a = self
            .db
            .agent(agent)?
            .ok_or_else(|| missing("agent", agent))?;
        if agent == self.actor.agent {
            return Err(refused(
                "un agent n'enregistre pas son propre départ : une autre personne du secrétariat le fait".into(),
                "an agent does not record their own departure: another secretariat member does".into(),
            ));
        }
        if let Some(on) = self.db.agent_left_on(agent)? {
            return Err(refused(
                format!("{} a déjà quitté le service le {}", a.name, day(on)),
                format!("{} already left on {}", a.name, day(on)),
            ));
        }
        self.effective(cmd.on, None, ("départ", "departure"))?;
        self.db.set_agent_left(agent, Some(cmd.on))?;
        let mut changes = Changes::new();
        diff(&mut changes, "left_on", None, Some(cmd.on.to_string()));
        let change = self.keep(
            id,
            Table::Agents,
            a.id.to_string(),
            None,
            RegistryAction::Close,
            changes,
            reason,
            Some(cmd.on),
        )?;
        self.audit(
            "agent_left",
            "registry_change",
            &id.to_string(),
            &(agent, &cmd),
        )?;
        Ok(change)
    }
}

impl Ledger {
    /// A member's history, oldest first: her corrections, departure, reinstatement, transfer,
    /// and those of the record she came from (a transfer keeps her history), each with who
    /// and on which device by name.
    ///
    /// # Errors
    /// Unknown member, store errors.
    pub fn member_history(&self, member: MemberId) -> Result<Vec<HistoryEntry>> {
        let db = self.db();
        let mut m = db
            .member(member)?
            .ok_or_else(|| missing("membre", member))?;
        let mut ids = vec![m.id];
        // the records she came from, oldest last (a bound: no endless chain)
        while let Some(from) = m.moved_from {
            if ids.contains(&from) || ids.len() > 16 {
                break;
            }
            ids.push(from);
            match db.member(from)? {
                Some(x) => m = x,
                None => break,
            }
        }
        let mut changes = Vec::new();
        for id in ids {
            changes.extend(db.registry_changes_of(Table::Members.name(), &id.to_string())?);
        }
        changes.sort_by_key(|c| (c.at, c.id));
        changes.dedup_by_key(|c| c.id);
        let mut out = Vec::new();
        for change in changes {
            let agent = db
                .agent(change.agent_id)?
                .map_or_else(|| change.agent_id.to_string(), |a| a.name);
            let device = db
                .device(change.device_id)?
                .map_or_else(|| change.device_id.to_string(), |d| d.label);
            out.push(HistoryEntry {
                change,
                agent,
                device,
            });
        }
        Ok(out)
    }

    /// The changes of a cooperative, warehouse or agent, oldest first.
    ///
    /// # Errors
    /// Store errors.
    pub fn registry_history(&self, table: Table, id: &str) -> Result<Vec<RegistryChange>> {
        Ok(self.db().registry_changes_of(table.name(), id)?)
    }
}

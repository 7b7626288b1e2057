//! The national page's figures: SQL over the projected tables (migration 1), each a sum a
//! union's own reports also make. Weights are read as tenths of a kg (`bigint`), money as
//! whole francs, so no float is ever involved; rates are tenths of a percent.
//!
//! - [`campaigns`]: per union, crop family and campaign, read from `national_figures`
//!   (migration 3), which [`refresh`] sums for each union whose projection changed, over
//!   `contracts WHERE counted` (what
//!   `sene report campaign` counts): members with a contract, contracts, committed and
//!   delivered kg, advances due, paid and recovered in kind; fertilizer handed out (not
//!   reversed); sale lots (not reversed).
//! - [`lenders`]: per lender institution across unions (`lenders.name_key`): credit lines,
//!   drawn, principal repaid, interest, outstanding, and the recovery of the campaigns its lines
//!   financed (`credit_lines.campaign_id`, their `national_figures`: call [`refresh`] first).
//! - [`credit_lines`]: one lender's (or every) credit line with its union.

use tokio_postgres::Client;
use uuid::Uuid;

use super::WebError;

/// One union's campaign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignFigures {
    pub union_id: Uuid,
    pub union: String,
    /// `rice`, `dry_cereals`, `shallot`.
    pub family: String,
    pub campaign: String,
    pub members: i64,
    pub contracts: i64,
    pub committed_tenths: i64,
    pub delivered_tenths: i64,
    pub advance_due: i64,
    pub disbursed: i64,
    pub recovered: i64,
    pub fertilizer_bags: i64,
    pub fertilizer_cost: i64,
    pub lots: i64,
    pub lots_tenths: i64,
    pub lots_value: i64,
}

impl CampaignFigures {
    /// Recovered / disbursed, tenths of a percent (as `sene_app::progress::recovery_rate`:
    /// 100 % when nothing was disbursed).
    #[must_use]
    pub fn recovery_tenths(&self) -> i64 {
        rate(self.recovered, self.disbursed)
    }
}

/// `part / whole` in tenths of a percent, half up; 1000 when `whole` is not positive.
#[must_use]
pub fn rate(part: i64, whole: i64) -> i64 {
    if whole <= 0 {
        return 1000;
    }
    let (p, w) = (i128::from(part), i128::from(whole));
    i64::try_from((p * 2000 + w) / (2 * w)).unwrap_or(i64::MAX)
}

/// The sums of one union's campaigns, written into `national_figures` (pruned to the union's
/// partitions).
const SUMMARY: &str = "INSERT INTO national_figures
     WITH k AS (
       SELECT campaign_id, count(DISTINCT member_id) AS members, count(*) AS n,
              (sum(committed_kg) * 10)::bigint AS committed,
              (sum(delivered_kg) * 10)::bigint AS delivered,
              sum(advance_due)::bigint AS due, sum(disbursed)::bigint AS paid,
              sum(recovered)::bigint AS recovered
       FROM contracts WHERE union_id = $1 AND counted GROUP BY 1),
     f AS (
       SELECT campaign_id, sum(bags)::bigint AS bags, sum(cost)::bigint AS cost
       FROM fertilizer WHERE union_id = $1 AND NOT reversed GROUP BY 1),
     s AS (
       SELECT campaign_id, count(*) AS lots, (sum(kg) * 10)::bigint AS kg,
              sum(round(kg * price_per_kg))::bigint AS value
       FROM sale_lots WHERE union_id = $1 AND NOT reversed GROUP BY 1)
     SELECT $1, cp.id,
            COALESCE(k.members, 0), COALESCE(k.n, 0), COALESCE(k.committed, 0),
            COALESCE(k.delivered, 0), COALESCE(k.due, 0), COALESCE(k.paid, 0),
            COALESCE(k.recovered, 0), COALESCE(f.bags, 0), COALESCE(f.cost, 0),
            COALESCE(s.lots, 0), COALESCE(s.kg, 0), COALESCE(s.value, 0)
     FROM campaigns cp
     LEFT JOIN k ON k.campaign_id = cp.id
     LEFT JOIN f ON f.campaign_id = cp.id
     LEFT JOIN s ON s.campaign_id = cp.id
     WHERE cp.union_id = $1";

/// The unions whose `national_figures` are older than their projection: a pull that wrote or
/// deleted rows is newer than the figures (a union never summed: any such pull). The
/// condition is the partial index `union_pulls_changes` (migration 4): a probe per union.
const STALE: &str = "SELECT u.union_id FROM unions u
     LEFT JOIN national_figures_as_of a ON a.union_id = u.union_id
     WHERE ($1::uuid IS NULL OR u.union_id = $1)
       AND EXISTS (SELECT 1 FROM union_pulls p WHERE p.union_id = u.union_id
                   AND p.ok AND p.rows_written + p.rows_deleted > 0
                   AND p.id > COALESCE(a.pull_id, 0))";

/// The refreshes' advisory lock space ('SENF'): one refresh of a union at a time.
const REFRESH_LOCK: i32 = 1_397_050_950;

/// Writes again the `national_figures` of every union whose projection changed since (each
/// in its own transaction, under its own advisory lock, so two page views never do one union
/// twice). The newest good pull is read before the sums, so the figures are never older than
/// the pull they are marked with. Returns how many unions were summed.
///
/// # Errors
/// PostgreSQL.
pub async fn refresh(c: &mut Client) -> Result<usize, WebError> {
    let stale: Vec<Uuid> = c
        .query(STALE, &[&None::<Uuid>])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut done = 0;
    for u in stale {
        let key = u.to_string();
        c.execute(
            "SELECT pg_advisory_lock($1, hashtext($2))",
            &[&REFRESH_LOCK, &key],
        )
        .await?;
        let out = refresh_one(c, u).await;
        c.execute(
            "SELECT pg_advisory_unlock($1, hashtext($2))",
            &[&REFRESH_LOCK, &key],
        )
        .await?;
        done += usize::from(out?);
    }
    Ok(done)
}

async fn refresh_one(c: &mut Client, union: Uuid) -> Result<bool, WebError> {
    // another page view may have done it while this one waited for the lock
    if c.query_opt(STALE, &[&Some(union)]).await?.is_none() {
        return Ok(false);
    }
    let tx = c.transaction().await?;
    let pull: Option<i64> = tx
        .query_one(
            "SELECT max(id) FROM union_pulls WHERE union_id = $1 AND ok",
            &[&union],
        )
        .await?
        .get(0);
    tx.execute(
        "DELETE FROM national_figures WHERE union_id = $1",
        &[&union],
    )
    .await?;
    tx.execute(SUMMARY, &[&union]).await?;
    tx.execute(
        "INSERT INTO national_figures_as_of (union_id, pull_id) VALUES ($1, $2)
         ON CONFLICT (union_id) DO UPDATE SET pull_id = EXCLUDED.pull_id",
        &[&union, &pull.unwrap_or(0)],
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Per union, crop family and campaign, from `national_figures` (call [`refresh`] first).
///
/// # Errors
/// PostgreSQL.
pub async fn campaigns(c: &Client) -> Result<Vec<CampaignFigures>, WebError> {
    let rows = c
        .query(
            "SELECT u.union_id, u.name, cp.family, cp.name,
                    n.members, n.contracts, n.committed_tenths, n.delivered_tenths, n.advance_due,
                    n.disbursed, n.recovered, n.fertilizer_bags, n.fertilizer_cost, n.lots,
                    n.lots_tenths, n.lots_value
             FROM national_figures n
             JOIN unions u ON u.union_id = n.union_id
             JOIN campaigns cp ON cp.union_id = n.union_id AND cp.id = n.campaign_id
             ORDER BY u.name, cp.family, cp.contract_start, cp.name",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| CampaignFigures {
            union_id: r.get(0),
            union: r.get(1),
            family: r.get(2),
            campaign: r.get(3),
            members: r.get(4),
            contracts: r.get(5),
            committed_tenths: r.get(6),
            delivered_tenths: r.get(7),
            advance_due: r.get(8),
            disbursed: r.get(9),
            recovered: r.get(10),
            fertilizer_bags: r.get(11),
            fertilizer_cost: r.get(12),
            lots: r.get(13),
            lots_tenths: r.get(14),
            lots_value: r.get(15),
        })
        .collect())
}

/// One lender institution across the unions it finances.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LenderFigures {
    /// The folded name that matches it across unions.
    pub key: String,
    /// Its name as the first union (by name) writes it.
    pub name: String,
    pub unions: i64,
    pub lines: i64,
    pub principal: i64,
    pub drawn: i64,
    pub repaid: i64,
    pub interest: i64,
    /// Advances paid and recovered in the campaigns its lines financed.
    pub financed_disbursed: i64,
    pub financed_recovered: i64,
}

impl LenderFigures {
    /// Drawn − principal repaid.
    #[must_use]
    pub fn outstanding(&self) -> i64 {
        self.drawn - self.repaid
    }
    /// Principal repaid / drawn.
    #[must_use]
    pub fn repaid_tenths(&self) -> i64 {
        rate(self.repaid, self.drawn)
    }
    /// Recovery (in kind) of the advances of the campaigns it financed.
    #[must_use]
    pub fn recovery_tenths(&self) -> i64 {
        rate(self.financed_recovered, self.financed_disbursed)
    }
}

/// Per lender across unions; `only` one lender's key (a lender account).
///
/// # Errors
/// PostgreSQL.
pub async fn lenders(c: &Client, only: Option<&str>) -> Result<Vec<LenderFigures>, WebError> {
    let rows = c
        .query(
            "WITH l AS (
               SELECT l.union_id, l.id, l.name, l.name_key, u.name AS union_name
               FROM lenders l JOIN unions u ON u.union_id = l.union_id
               WHERE $1::text IS NULL OR l.name_key = $1),
             d AS (SELECT union_id, lender_id, sum(amount)::bigint AS drawn FROM drawdowns
                   WHERE NOT reversed GROUP BY 1, 2),
             r AS (SELECT union_id, lender_id, sum(principal)::bigint AS repaid,
                          sum(interest)::bigint AS interest
                   FROM repayments WHERE NOT reversed GROUP BY 1, 2),
             cl AS (SELECT union_id, lender_id, count(*) AS lines, sum(principal)::bigint AS principal
                    FROM credit_lines GROUP BY 1, 2),
             fin AS (SELECT DISTINCT union_id, lender_id, campaign_id FROM credit_lines
                     WHERE campaign_id IS NOT NULL),
             rec AS (SELECT fin.union_id, fin.lender_id, sum(n.disbursed)::bigint AS disbursed,
                            sum(n.recovered)::bigint AS recovered
                     FROM fin JOIN national_figures n ON n.union_id = fin.union_id
                       AND n.campaign_id = fin.campaign_id
                     GROUP BY 1, 2)
             SELECT l.name_key, (array_agg(l.name ORDER BY l.union_name))[1],
                    count(DISTINCT l.union_id), COALESCE(sum(cl.lines), 0)::bigint,
                    COALESCE(sum(cl.principal), 0)::bigint, COALESCE(sum(d.drawn), 0)::bigint,
                    COALESCE(sum(r.repaid), 0)::bigint, COALESCE(sum(r.interest), 0)::bigint,
                    COALESCE(sum(rec.disbursed), 0)::bigint, COALESCE(sum(rec.recovered), 0)::bigint
             FROM l
             LEFT JOIN d ON d.union_id = l.union_id AND d.lender_id = l.id
             LEFT JOIN r ON r.union_id = l.union_id AND r.lender_id = l.id
             LEFT JOIN cl ON cl.union_id = l.union_id AND cl.lender_id = l.id
             LEFT JOIN rec ON rec.union_id = l.union_id AND rec.lender_id = l.id
             GROUP BY l.name_key ORDER BY 2",
            &[&only],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| LenderFigures {
            key: r.get(0),
            name: r.get(1),
            unions: r.get(2),
            lines: r.get(3),
            principal: r.get(4),
            drawn: r.get(5),
            repaid: r.get(6),
            interest: r.get(7),
            financed_disbursed: r.get(8),
            financed_recovered: r.get(9),
        })
        .collect())
}

/// One credit line, with its union.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineFigures {
    pub lender_key: String,
    pub lender: String,
    pub union: String,
    pub campaign: Option<String>,
    pub start: chrono::NaiveDate,
    pub maturity: chrono::NaiveDate,
    pub principal: i64,
    /// Annual rate, as the union wrote it (text of a numeric: `0.1` is 10 %).
    pub rate: String,
    pub drawn: i64,
    pub repaid: i64,
    pub interest: i64,
}

impl LineFigures {
    /// Drawn − principal repaid.
    #[must_use]
    pub fn outstanding(&self) -> i64 {
        self.drawn - self.repaid
    }
}

/// Credit lines, of one lender (`only`) or all, by lender, union and start.
///
/// # Errors
/// PostgreSQL.
pub async fn credit_lines(c: &Client, only: Option<&str>) -> Result<Vec<LineFigures>, WebError> {
    let rows = c
        .query(
            "SELECT l.name_key, l.name, u.name, cp.name, cl.start, cl.maturity, cl.principal,
                    cl.annual_rate::text,
                    COALESCE((SELECT sum(amount) FROM drawdowns d WHERE d.union_id = cl.union_id
                              AND d.credit_line_id = cl.id AND NOT d.reversed), 0)::bigint,
                    COALESCE((SELECT sum(principal) FROM repayments r WHERE r.union_id = cl.union_id
                              AND r.credit_line_id = cl.id AND NOT r.reversed), 0)::bigint,
                    COALESCE((SELECT sum(interest) FROM repayments r WHERE r.union_id = cl.union_id
                              AND r.credit_line_id = cl.id AND NOT r.reversed), 0)::bigint
             FROM credit_lines cl
             JOIN lenders l ON l.union_id = cl.union_id AND l.id = cl.lender_id
             JOIN unions u ON u.union_id = cl.union_id
             LEFT JOIN campaigns cp ON cp.union_id = cl.union_id AND cp.id = cl.campaign_id
             WHERE $1::text IS NULL OR l.name_key = $1
             ORDER BY l.name_key, u.name, cl.start, cl.id",
            &[&only],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| LineFigures {
            lender_key: r.get(0),
            lender: r.get(1),
            union: r.get(2),
            campaign: r.get(3),
            start: r.get(4),
            maturity: r.get(5),
            principal: r.get(6),
            rate: r.get(7),
            drawn: r.get(8),
            repaid: r.get(9),
            interest: r.get(10),
        })
        .collect())
}

/// The unions a lender finances (its lines' freshness is theirs).
///
/// # Errors
/// PostgreSQL.
pub async fn lender_unions(c: &Client, key: &str) -> Result<Vec<Uuid>, WebError> {
    Ok(c.query(
        "SELECT DISTINCT union_id FROM lenders WHERE name_key = $1",
        &[&key],
    )
    .await?
    .iter()
    .map(|r| r.get(0))
    .collect())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::rate;

    #[test]
    fn rates_in_tenths_half_up() {
        assert_eq!(rate(0, 0), 1000);
        assert_eq!(rate(1, 3), 333);
        assert_eq!(rate(2, 3), 667);
        assert_eq!(rate(1, 8), 125);
        assert_eq!(rate(1, 16), 63);
        assert_eq!(rate(5, 5), 1000);
    }
}

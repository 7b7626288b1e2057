//! The federation's PostgreSQL: connecting (no TLS: loopback or a Unix socket on the
//! federation's own machine), and its migrations — a numbered list applied in order, each
//! once, all pending ones in one transaction, the version reached kept in `schema_version`.
//! A database newer than this binary is refused.

use tokio_postgres::{Client, GenericClient, NoTls};

use crate::FederationError;

/// The migrations, numbered from 1; append only (a shipped one is never edited: a test pins
/// their text).
pub const MIGRATIONS: &[(i32, &str)] = &[
    (1, include_str!("migrations/0001_federation.sql")),
    (2, include_str!("migrations/0002_national_page.sql")),
    (3, include_str!("migrations/0003_national_figures.sql")),
    (4, include_str!("migrations/0004_pull_changes.sql")),
];

/// The schema this binary writes.
#[must_use]
pub fn schema_version() -> i32 {
    MIGRATIONS.last().map_or(0, |(v, _)| *v)
}

/// Connects to `url` (`postgresql://…` or `host=… dbname=…`; a `host` that is a folder is a
/// Unix socket's); the connection is driven by a task on the current tokio runtime.
///
/// # Errors
/// [`FederationError::Postgres`].
pub async fn connect(url: &str) -> Result<Client, FederationError> {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::warn!("PostgreSQL connection closed: {e}");
        }
    });
    Ok(client)
}

/// Applies the pending migrations in one transaction; returns the version before and after.
/// Two federations starting at once wait on each other (an advisory lock).
///
/// # Errors
/// [`FederationError::SchemaTooNew`]; [`FederationError::Postgres`].
pub async fn migrate(client: &mut Client) -> Result<(i32, i32), FederationError> {
    let tx = client.transaction().await?;
    // 'SENE' and 0: the migrations' lock, released at the end of this transaction
    tx.execute("SELECT pg_advisory_xact_lock(1397050949, 0)", &[])
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_version (
           version integer PRIMARY KEY,
           applied_at timestamptz NOT NULL DEFAULT now())",
    )
    .await?;
    let before: i32 = tx
        .query_one("SELECT COALESCE(MAX(version), 0) FROM schema_version", &[])
        .await?
        .get(0);
    let known = schema_version();
    if before > known {
        return Err(FederationError::SchemaTooNew {
            found: before,
            known,
        });
    }
    for (v, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > before) {
        tx.batch_execute(sql).await?;
        tx.execute("INSERT INTO schema_version (version) VALUES ($1)", &[v])
            .await?;
    }
    tx.commit().await?;
    Ok((before, known))
}

/// The tables partitioned by union, in the order their rows depend on each other (the
/// migrations' `partitioned_tables`): a new union gets a partition of each.
///
/// # Errors
/// [`FederationError::Postgres`].
pub async fn partitioned_tables<C: GenericClient + Sync>(
    c: &C,
) -> Result<Vec<String>, FederationError> {
    Ok(
        c.query("SELECT name FROM partitioned_tables ORDER BY rank", &[])
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect(),
    )
}

/// A table's columns, in their order.
///
/// # Errors
/// [`FederationError::Postgres`].
pub async fn columns<C: GenericClient + Sync>(
    c: &C,
    table: &str,
) -> Result<Vec<String>, FederationError> {
    Ok(c.query(
        "SELECT column_name::text FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
        &[&table],
    )
    .await?
    .iter()
    .map(|r| r.get(0))
    .collect())
}

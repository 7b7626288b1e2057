//! A union's replica: one Sene store per union in the federation's data folder
//! (`<data>/<union_id>.sqlite`), enrolled with that union's hub as a device and synced by the
//! device client of `sene-hub` (`client::sync`, `usb::device_import`): it holds the union's
//! automerge documents (so the projection can always be rebuilt from it) and its SQL
//! projection, which [`snapshot`] reads as the rows of the federation's tables. Everything
//! here blocks (SQLite, the HTTP client): the async side runs it on tokio's blocking pool.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sene_app::progress::ContractProgress;
use sene_app::{Actor, Ledger};
use sene_domain::{AgentId, CampaignId, DeviceId, Money, UnionId};
use sene_hub::client::{self, keys, ClientReport};
use sene_store::Table;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::FederationError;

/// What the federation holds to pull a union as one of its devices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub device: DeviceId,
    pub agent: AgentId,
    /// The bearer token of the device at the union's hub.
    pub token: String,
    /// The key the union's USB files for this device are signed with.
    pub bundle_key: Option<String>,
    /// The union's own certificate authority (PEM), for a hub on HTTPS with its own
    /// certificate.
    pub ca_pem: Option<String>,
}

/// The replica file of a union.
#[must_use]
pub fn path(data: &Path, union: UnionId) -> PathBuf {
    data.join(format!("{union}.sqlite"))
}

fn io(path: &Path, e: impl std::fmt::Display) -> FederationError {
    FederationError::Io {
        path: path.display().to_string(),
        detail: e.to_string(),
    }
}

fn open(path: &Path) -> Result<Ledger, FederationError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    }
    Ok(Ledger::open(path)?)
}

/// Makes a new replica of a union with credentials obtained elsewhere (the union's secretariat
/// enrolled the federation's device and handed over its token and key).
///
/// # Errors
/// Store errors; a replica already there for another device.
pub fn prepare(path: &Path, hub_url: Option<&str>, c: &Credentials) -> Result<(), FederationError> {
    let mut l = open(path)?;
    l.join(&Actor {
        agent: c.agent,
        device: c.device,
    })?;
    if let Some(u) = hub_url {
        l.set_setting(keys::HUB_URL, u)?;
    }
    l.set_setting(keys::HUB_TOKEN, &c.token)?;
    if let Some(k) = &c.bundle_key {
        l.set_setting(keys::BUNDLE_KEY, k)?;
    }
    if let Some(pem) = &c.ca_pem {
        l.set_setting(keys::HUB_CA, pem)?;
    }
    Ok(())
}

/// Makes a new replica by enrolling with the union's hub with a pairing code (the usual
/// enrolment of a device); returns the credentials it received.
///
/// # Errors
/// The hub's refusal (wrong code…), the network, store errors.
pub fn enroll(
    path: &Path,
    hub_url: &str,
    device: DeviceId,
    code: &str,
    ca_pem: Option<&str>,
) -> Result<Credentials, FederationError> {
    let mut l = open(path)?;
    let e = client::enroll_with(&mut l, hub_url, device, code, ca_pem)?;
    Ok(Credentials {
        device: e.device_id,
        agent: e.agent_id,
        token: e.token,
        bundle_key: Some(e.bundle_key),
        ca_pem: ca_pem.map(str::to_owned),
    })
}

/// What one pull brought into the replica.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Received {
    pub bytes_sent: u64,
    pub bytes_received: u64,
    /// Records the replica merged.
    pub records: u64,
    /// Documents that changed in the replica.
    pub docs_changed: u64,
}

impl Received {
    fn of_client(r: &ClientReport) -> Self {
        Received {
            bytes_sent: r.bytes_sent as u64,
            bytes_received: r.bytes_received as u64,
            records: r.pulled.records as u64,
            docs_changed: r.pulled.docs_changed as u64,
        }
    }
}

/// Syncs the replica with the union's hub (the token given, as the federation's list says).
///
/// # Errors
/// The hub's refusal, the network, a malformed answer, store errors.
pub fn sync(path: &Path, hub_url: &str, token: &str) -> Result<Received, FederationError> {
    sync_with(&mut Ledger::open(path)?, hub_url, token)
}

/// [`sync`] on a replica already open (its documents loaded by an earlier pull).
///
/// # Errors
/// As [`sync`].
pub fn sync_with(l: &mut Ledger, hub_url: &str, token: &str) -> Result<Received, FederationError> {
    if l.setting(keys::HUB_TOKEN)?.as_deref() != Some(token) {
        l.set_setting(keys::HUB_TOKEN, token)?;
    }
    let r = client::sync(l, Some(hub_url), &mut |_| {})?;
    if let Some(refused) = r.refused_by_hub.first() {
        // the replica writes nothing: a refusal is the hub's news, said, not fatal
        tracing::warn!(
            ?refused,
            "the union's hub refused a document of the replica"
        );
    }
    Ok(Received::of_client(&r))
}

/// Reads a USB file the union's office made for the federation's device into the replica.
///
/// # Errors
/// The file's refusal (not for this device, forged, damaged), store and sync errors.
pub fn import(path: &Path, bytes: &[u8]) -> Result<Received, FederationError> {
    import_with(&mut Ledger::open(path)?, bytes)
}

/// [`import`] on a replica already open.
///
/// # Errors
/// As [`import`].
pub fn import_with(l: &mut Ledger, bytes: &[u8]) -> Result<Received, FederationError> {
    if let Err(refusal) = sene_hub::usb::device_check(l, bytes)? {
        return Err(sene_hub::HubError::from(refusal).into());
    }
    let r = sene_hub::usb::device_import(l, bytes)?;
    Ok(Received {
        bytes_sent: 0,
        bytes_received: bytes.len() as u64,
        records: r.records as u64,
        docs_changed: r.docs_changed as u64,
    })
}

/// The union a replica holds (none before its first pull).
///
/// # Errors
/// Store errors.
pub fn identity(l: &Ledger) -> Result<Option<sene_domain::Union>, FederationError> {
    Ok(l.db().union()?)
}

/// One row of a federation table: its id, the hash of what is projected, the columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub id: Uuid,
    pub hash: i64,
    pub cols: Map<String, Value>,
}

/// A federation table's rows as the replica holds them.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRows {
    pub table: &'static str,
    pub rows: Vec<Row>,
    /// Every row of the table (a row the projection holds and this lacks is gone), or only
    /// those a pull wrote or changed ([`Since`]): the others are as the projection holds them.
    pub complete: bool,
}

/// What a pull wrote into the replica (rowids, by table), for a snapshot that reads again
/// only the rows it changed in the tables that grow with the union and its season: members,
/// contracts, advances, deliveries, fertilizer (85,000 of the 86,000 rows a union-scale
/// replica projects). A row also takes columns from others: a contract its figures from its
/// deliveries and advances and its cooperative from its member; a delivery or advance its
/// campaign and cooperative from its contract; a hand-out its cooperative from its member;
/// each money record its `reversed` from the reversals. [`Since::plan`] follows these. The
/// other tables (cooperatives, campaigns, lenders, lots…) are few rows and read whole.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Since(BTreeMap<Table, Vec<i64>>);

/// The tables [`Since`] follows, whose rows a partial snapshot reads again.
const GROWING: [Table; 5] = [
    Table::Members,
    Table::Contracts,
    Table::Disbursements,
    Table::Deliveries,
    Table::FertilizerDistributions,
];

impl Since {
    /// From the rows a pull wrote ([`sene_store::Store::watch_rows`]); `None` when only a whole
    /// read is right: a row of these tables deleted (the projection must lose it), or a
    /// campaign or fertilizer product written (every contract's figures, every hand-out's
    /// product name may change).
    #[must_use]
    pub fn of(changes: &[sene_store::RowChange]) -> Option<Self> {
        let mut out = Since::default();
        for c in changes {
            match c.table {
                Table::Campaigns | Table::FertilizerProducts => return None,
                t if GROWING.contains(&t) || t == Table::Reversals => {
                    if c.action == sene_store::RowAction::Delete {
                        return None;
                    }
                    out.0.entry(t).or_default().push(c.rowid);
                }
                _ => {}
            }
        }
        Some(out)
    }

    fn rowids(&self, table: Table) -> &[i64] {
        self.0.get(&table).map_or(&[], Vec::as_slice)
    }

    /// The rows to read again, by table, each once, read.
    fn plan(&self, db: &sene_store::Db<'_>) -> Result<Plan, FederationError> {
        let mut p = Plan::default();
        for table in GROWING {
            for rowid in self.rowids(table) {
                if let Some(row) = db.row_by_rowid(table, *rowid)? {
                    p.add(table, row);
                }
            }
        }
        // a record voided: itself (the ids are unique across the money tables)
        for rowid in self.rowids(Table::Reversals) {
            let Some(r) = db.row_by_rowid(Table::Reversals, *rowid)? else {
                continue;
            };
            let Some(target) = r.get("target_id").and_then(Value::as_str) else {
                continue;
            };
            for table in [
                Table::Disbursements,
                Table::Deliveries,
                Table::FertilizerDistributions,
            ] {
                if let Some(row) = db.row_by_key(table, target)? {
                    p.add(table, row);
                }
            }
        }
        // a member written: its contracts (their cooperative) and its hand-outs
        for m in p.ids(Table::Members) {
            for table in [Table::Contracts, Table::FertilizerDistributions] {
                for row in db.rows_where(table, "member_id", &m)? {
                    p.add(table, row);
                }
            }
        }
        // a contract written (or its member): its advances and deliveries (their campaign and
        // cooperative)
        for c in p.ids(Table::Contracts) {
            for table in [Table::Disbursements, Table::Deliveries] {
                for row in db.rows_where(table, "contract_id", &c)? {
                    p.add(table, row);
                }
            }
        }
        // an advance or delivery written or voided: its contract's figures
        let mut contracts = Vec::new();
        for table in [Table::Disbursements, Table::Deliveries] {
            contracts.extend(p.column(table, "contract_id"));
        }
        for c in contracts {
            if !p.holds(Table::Contracts, &c) {
                if let Some(row) = db.row_by_key(Table::Contracts, &c)? {
                    p.add(Table::Contracts, row);
                }
            }
        }
        Ok(p)
    }
}

/// The rows a partial snapshot reads, by table and id (sorted by id).
#[derive(Debug, Default)]
struct Plan(BTreeMap<Table, BTreeMap<String, Map<String, Value>>>);

impl Plan {
    fn add(&mut self, table: Table, row: Map<String, Value>) {
        if let Some(id) = row.get("id").and_then(Value::as_str).map(str::to_owned) {
            self.0.entry(table).or_default().entry(id).or_insert(row);
        }
    }

    fn holds(&self, table: Table, id: &str) -> bool {
        self.0.get(&table).is_some_and(|t| t.contains_key(id))
    }

    fn ids(&self, table: Table) -> Vec<String> {
        self.0
            .get(&table)
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// A text column of the rows of `table` it holds.
    fn column(&self, table: Table, col: &str) -> Vec<String> {
        self.0
            .get(&table)
            .map(|t| {
                t.values()
                    .filter_map(|r| r.get(col).and_then(Value::as_str).map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Takes the rows of `table` it holds.
    fn take(&mut self, table: Table) -> Vec<Map<String, Value>> {
        self.0
            .remove(&table)
            .map(|t| t.into_values().collect())
            .unwrap_or_default()
    }
}

/// Every federation table's rows, from a replica.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub union: sene_domain::Union,
    pub tables: Vec<TableRows>,
}

fn row_hash(cols: &Map<String, Value>) -> i64 {
    let bytes = serde_json::to_vec(cols).unwrap_or_default();
    let d = Sha256::digest(&bytes);
    let mut b = [0u8; 8];
    b.copy_from_slice(&d[..8]);
    i64::from_le_bytes(b)
}

/// A stored row's columns, read by name.
struct Raw<'a> {
    table: &'static str,
    v: &'a Map<String, Value>,
}

impl Raw<'_> {
    fn bad(&self, col: &str, what: &str) -> FederationError {
        FederationError::BadRow {
            table: self.table,
            detail: format!("{col} : {what}"),
        }
    }
    fn get(&self, col: &str) -> Value {
        self.v.get(col).cloned().unwrap_or(Value::Null)
    }
    fn text(&self, col: &str) -> Result<String, FederationError> {
        match self.v.get(col) {
            Some(Value::String(s)) => Ok(s.clone()),
            _ => Err(self.bad(col, "texte attendu")),
        }
    }
    fn int(&self, col: &str) -> Result<i64, FederationError> {
        self.v
            .get(col)
            .and_then(Value::as_i64)
            .ok_or_else(|| self.bad(col, "entier attendu"))
    }
    fn uuid(&self, col: &str) -> Result<Uuid, FederationError> {
        Uuid::parse_str(&self.text(col)?).map_err(|e| self.bad(col, &e.to_string()))
    }
    /// A stored tenth (kg, percent) as a decimal text.
    fn tenths(&self, col: &str) -> Result<Value, FederationError> {
        Ok(Value::String(tenths(self.int(col)?)))
    }
    fn flag(&self, col: &str) -> Result<Value, FederationError> {
        Ok(Value::Bool(self.int(col)? != 0))
    }
}

fn tenths(n: i64) -> String {
    let sign = if n < 0 { "-" } else { "" };
    let a = n.unsigned_abs();
    format!("{sign}{}.{}", a / 10, a % 10)
}

fn all(db: &sene_store::Db<'_>, t: Table) -> Result<Vec<Map<String, Value>>, FederationError> {
    Ok(db
        .list_rows(t, u32::MAX)?
        .into_iter()
        .filter_map(|v| match v {
            Value::Object(m) => Some(m),
            _ => None,
        })
        .collect())
}

struct Builder {
    table: &'static str,
    rows: Vec<Row>,
}

impl Builder {
    fn new(table: &'static str) -> Self {
        Builder {
            table,
            rows: Vec::new(),
        }
    }
    fn push(&mut self, id: Uuid, cols: Map<String, Value>) {
        self.rows.push(Row {
            id,
            hash: row_hash(&cols),
            cols,
        });
    }
    fn done(self) -> TableRows {
        TableRows {
            table: self.table,
            rows: self.rows,
            complete: true,
        }
    }
}

macro_rules! cols {
    ($($k:expr => $v:expr),* $(,)?) => {{
        let mut m = Map::new();
        $( m.insert($k.to_owned(), $v); )*
        m
    }};
}

fn money(m: Money) -> Value {
    Value::from(m.francs())
}

/// Reads every federation table's rows from a replica (`None` before its first pull).
///
/// # Errors
/// Store errors; [`FederationError::BadRow`] for a row the federation cannot read.
pub fn snapshot(l: &Ledger) -> Result<Option<Snapshot>, FederationError> {
    snapshot_since(l, None)
}

/// [`snapshot`], with only the rows of the growing tables a pull changed, and those that
/// follow from them, when `since` says which (those tables then not `complete`).
///
/// # Errors
/// As [`snapshot`].
#[allow(clippy::too_many_lines)]
pub fn snapshot_since(
    l: &Ledger,
    since: Option<&Since>,
) -> Result<Option<Snapshot>, FederationError> {
    let db = l.db();
    let Some(union) = db.union()? else {
        return Ok(None);
    };
    let mut tables = Vec::new();
    let reversed: std::collections::HashSet<String> = all(&db, Table::Reversals)?
        .iter()
        .filter_map(|r| {
            r.get("target_id")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .collect();
    let is_reversed = |id: &Uuid| Value::Bool(reversed.contains(&id.to_string()));
    // the growing tables: whole, or the rows the pull changed and those that follow them
    let mut plan = since.map(|s| s.plan(&db)).transpose()?;
    let partial = plan.is_some();
    let named_contracts: Option<Vec<sene_domain::ContractId>> = plan.as_ref().map(|p| {
        p.ids(Table::Contracts)
            .iter()
            .filter_map(|id| id.parse().ok())
            .collect()
    });
    let mut read = |t: Table| match plan.as_mut() {
        Some(p) => Ok(p.take(t)),
        None => all(&db, t),
    };
    let part = |b: Builder| TableRows {
        complete: !partial,
        ..b.done()
    };

    let mut b = Builder::new("cooperatives");
    for v in all(&db, Table::Cooperatives)? {
        let r = Raw {
            table: b.table,
            v: &v,
        };
        let id = r.uuid("id")?;
        b.push(
            id,
            cols! {
                "id" => r.get("id"), "code" => r.get("code"), "name" => r.get("name"),
                "village" => r.get("village"), "commune" => r.get("commune"),
                "cercle" => r.get("cercle"), "region" => r.get("region"),
            },
        );
    }
    tables.push(b.done());

    let mut b = Builder::new("campaigns");
    let mut campaigns = Vec::new();
    for v in all(&db, Table::Campaigns)? {
        let r = Raw {
            table: b.table,
            v: &v,
        };
        let id = r.uuid("id")?;
        campaigns.push(CampaignId::from_uuid(id));
        b.push(
            id,
            cols! {
                "id" => r.get("id"), "name" => r.get("name"), "family" => r.get("family"),
                "advance_share" => r.get("advance_share"),
                "contract_start" => r.get("contract_start"), "contract_end" => r.get("contract_end"),
                "delivery_start" => r.get("delivery_start"), "delivery_end" => r.get("delivery_end"),
            },
        );
    }
    tables.push(b.done());

    let mut b = Builder::new("members");
    let mut coop_of_member = std::collections::HashMap::new();
    for v in read(Table::Members)? {
        let r = Raw {
            table: b.table,
            v: &v,
        };
        let id = r.uuid("id")?;
        coop_of_member.insert(id, r.get("cooperative_id"));
        b.push(
            id,
            cols! {
                "id" => r.get("id"), "cooperative_id" => r.get("cooperative_id"),
                "number" => r.get("number"), "sex" => r.get("sex"),
                "birth_year" => r.get("birth_year"), "village" => r.get("village"),
                "crops" => r.get("crops"), "status" => r.get("status"),
                "registered_on" => r.get("registered_on"), "left_on" => r.get("left_on"),
            },
        );
    }
    tables.push(part(b));

    // each contract's figures as sene-app composes them
    let mut figures = std::collections::HashMap::new();
    let mut by_campaign = std::collections::HashMap::new();
    for cid in &campaigns {
        if let Some(camp) = db.campaign(*cid)? {
            by_campaign.insert(*cid, camp);
        }
    }
    let composed = match &named_contracts {
        Some(ids) => db.contracts_with_figures(ids)?,
        None => {
            let mut all = Vec::new();
            for cid in &campaigns {
                all.extend(db.campaign_contracts(*cid)?);
            }
            all
        }
    };
    for f in composed {
        let Some(camp) = by_campaign.get(&f.contract.campaign_id) else {
            continue;
        };
        let disbursed = Money::sum(f.disbursements.iter().map(|(m, _)| *m))
            .map_err(sene_app::AppError::from)?;
        let p = ContractProgress::of(camp, &f.contract, disbursed, f.accepted)?;
        let counted = sene_app::progress::counts(f.contract.state, disbursed, f.accepted);
        figures.insert(*f.contract.id.as_uuid(), (p, counted, f.cooperative_id));
    }
    let mut b = Builder::new("contracts");
    let mut campaign_of_contract = std::collections::HashMap::new();
    for v in read(Table::Contracts)? {
        let r = Raw {
            table: b.table,
            v: &v,
        };
        let id = r.uuid("id")?;
        let Some((p, counted, coop)) = figures.get(&id) else {
            return Err(r.bad("id", "contrat sans campagne ni membre"));
        };
        campaign_of_contract.insert(id, (r.get("campaign_id"), Value::String(coop.to_string())));
        b.push(
            id,
            cols! {
                "id" => r.get("id"), "member_id" => r.get("member_id"),
                "cooperative_id" => Value::String(coop.to_string()),
                "campaign_id" => r.get("campaign_id"), "crop" => r.get("crop"),
                "state" => r.get("state"), "base_price" => r.get("base_price"),
                "requested_on" => r.get("requested_on"), "decided_on" => r.get("decided_on"),
                "counted" => Value::Bool(*counted),
                "committed_kg" => Value::String(tenths(p.committed.tenths())),
                "delivered_kg" => Value::String(tenths(p.delivered.tenths())),
                "advance_due" => money(p.due), "disbursed" => money(p.disbursed),
                "value" => money(p.value), "recovered" => money(p.recovered),
            },
        );
    }
    tables.push(part(b));
    let of_contract = |r: &Raw<'_>| -> Result<(Value, Value), FederationError> {
        campaign_of_contract
            .get(&r.uuid("contract_id")?)
            .cloned()
            .ok_or_else(|| r.bad("contract_id", "contrat inconnu"))
    };

    let mut b = Builder::new("disbursements");
    for v in read(Table::Disbursements)? {
        let r = Raw {
            table: b.table,
            v: &v,
        };
        let id = r.uuid("id")?;
        let (campaign, coop) = of_contract(&r)?;
        b.push(
            id,
            cols! {
                "id" => r.get("id"), "contract_id" => r.get("contract_id"),
                "campaign_id" => campaign, "cooperative_id" => coop,
                "amount" => r.get("amount"), "date" => r.get("date"), "mode" => r.get("mode"),
                "receipt" => r.get("receipt"), "reversed" => is_reversed(&id),
            },
        );
    }
    tables.push(part(b));

    let mut b = Builder::new("deliveries");
    for v in read(Table::Deliveries)? {
        let r = Raw {
            table: b.table,
            v: &v,
        };
        let id = r.uuid("id")?;
        let (campaign, coop) = of_contract(&r)?;
        b.push(
            id,
            cols! {
                "id" => r.get("id"), "member_id" => r.get("member_id"),
                "contract_id" => r.get("contract_id"), "campaign_id" => campaign,
                "cooperative_id" => coop, "warehouse_id" => r.get("warehouse_id"),
                "crop" => r.get("crop"), "bags" => r.get("bags"),
                "gross_kg" => r.tenths("gross_t")?, "net_kg" => r.tenths("net_t")?,
                "accepted_kg" => r.tenths("accepted_t")?,
                "moisture" => r.tenths("moisture_t")?, "impurity" => r.tenths("impurity_t")?,
                "date" => r.get("date"), "receipt" => r.get("receipt"),
                "reversed" => is_reversed(&id),
            },
        );
    }
    tables.push(part(b));

    let products: std::collections::HashMap<String, Value> = all(&db, Table::FertilizerProducts)?
        .into_iter()
        .filter_map(|p| Some((p.get("id")?.as_str()?.to_owned(), p.get("name")?.clone())))
        .collect();
    // a hand-out's cooperative, its member's (read from the store when the members were not
    // all read)
    let coop_of = |member: Uuid| -> Result<Option<Value>, FederationError> {
        if let Some(c) = coop_of_member.get(&member) {
            return Ok(Some(c.clone()));
        }
        if !partial {
            return Ok(None);
        }
        Ok(db
            .column_by_key(Table::Members, &member.to_string(), "cooperative_id")?
            .map(Value::String))
    };
    let mut b = Builder::new("fertilizer");
    for v in read(Table::FertilizerDistributions)? {
        let r = Raw {
            table: b.table,
            v: &v,
        };
        let id = r.uuid("id")?;
        let product = r.text("product_id")?;
        let cost = r
            .int("bags")?
            .checked_mul(r.int("price_per_bag")?)
            .ok_or_else(|| r.bad("price_per_bag", "dépassement"))?;
        b.push(
            id,
            cols! {
                "id" => r.get("id"), "member_id" => r.get("member_id"),
                "campaign_id" => r.get("campaign_id"),
                "cooperative_id" => coop_of(r.uuid("member_id")?)?
                    .ok_or_else(|| r.bad("member_id", "membre inconnu"))?,
                "product_id" => r.get("product_id"),
                "product" => products.get(&product).cloned().unwrap_or(Value::String(product)),
                "bags" => r.get("bags"), "price_per_bag" => r.get("price_per_bag"),
                "cost" => Value::from(cost), "cash_paid" => r.get("cash_paid"),
                "date" => r.get("date"), "receipt" => r.get("receipt"),
                "reversed" => is_reversed(&id),
            },
        );
    }
    tables.push(part(b));

    let mut lot_kg: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
    for s in all(&db, Table::SaleLotSources)? {
        let r = Raw {
            table: "sale_lot_sources",
            v: &s,
        };
        *lot_kg.entry(r.text("lot_id")?).or_default() += r.int("kg_t")?;
    }
    let mut b = Builder::new("sale_lots");
    for v in all(&db, Table::SaleLots)? {
        let r = Raw {
            table: b.table,
            v: &v,
        };
        let id = r.uuid("id")?;
        let kg = lot_kg.get(&id.to_string()).copied().unwrap_or(0);
        b.push(
            id,
            cols! {
                "id" => r.get("id"), "campaign_id" => r.get("campaign_id"),
                "crop" => r.get("crop"), "buyer" => r.get("buyer"),
                "kg" => Value::String(tenths(kg)), "price_per_kg" => r.get("price_per_kg"),
                "costs" => r.get("costs"), "date" => r.get("date"), "paid" => r.flag("paid")?,
                "reversed" => is_reversed(&id),
            },
        );
    }
    tables.push(b.done());

    let mut b = Builder::new("lenders");
    for v in all(&db, Table::Lenders)? {
        let r = Raw {
            table: b.table,
            v: &v,
        };
        let id = r.uuid("id")?;
        let name = r.text("name")?;
        b.push(
            id,
            cols! {
                "id" => r.get("id"), "name" => r.get("name"),
                "name_key" => Value::String(name_key(&name)), "kind" => r.get("kind"),
            },
        );
    }
    tables.push(b.done());

    let mut b = Builder::new("credit_lines");
    let mut lender_of_line = std::collections::HashMap::new();
    for v in all(&db, Table::CreditLines)? {
        let r = Raw {
            table: b.table,
            v: &v,
        };
        let id = r.uuid("id")?;
        lender_of_line.insert(id, r.get("lender_id"));
        b.push(
            id,
            cols! {
                "id" => r.get("id"), "lender_id" => r.get("lender_id"),
                "campaign_id" => r.get("campaign_id"), "principal" => r.get("principal"),
                "annual_rate" => r.get("annual_rate"), "start" => r.get("start"),
                "maturity" => r.get("maturity"), "guarantee_share" => r.get("guarantee_share"),
            },
        );
    }
    tables.push(b.done());
    let lender = |r: &Raw<'_>| -> Result<Value, FederationError> {
        lender_of_line
            .get(&r.uuid("credit_line_id")?)
            .cloned()
            .ok_or_else(|| r.bad("credit_line_id", "ligne de crédit inconnue"))
    };

    let mut b = Builder::new("drawdowns");
    for v in all(&db, Table::Drawdowns)? {
        let r = Raw {
            table: b.table,
            v: &v,
        };
        let id = r.uuid("id")?;
        b.push(
            id,
            cols! {
                "id" => r.get("id"), "credit_line_id" => r.get("credit_line_id"),
                "lender_id" => lender(&r)?, "amount" => r.get("amount"), "date" => r.get("date"),
                "reversed" => is_reversed(&id),
            },
        );
    }
    tables.push(b.done());

    let mut b = Builder::new("repayments");
    for v in all(&db, Table::LenderRepayments)? {
        let r = Raw {
            table: b.table,
            v: &v,
        };
        let id = r.uuid("id")?;
        b.push(
            id,
            cols! {
                "id" => r.get("id"), "credit_line_id" => r.get("credit_line_id"),
                "lender_id" => lender(&r)?, "principal" => r.get("principal"),
                "interest" => r.get("interest"), "date" => r.get("date"),
                "reversed" => is_reversed(&id),
            },
        );
    }
    tables.push(b.done());

    Ok(Some(Snapshot { union, tables }))
}

/// A lender's name folded, to match the same institution across unions: lower case, spaces
/// collapsed.
#[must_use]
pub fn name_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenths_are_decimal_text() {
        assert_eq!(tenths(0), "0.0");
        assert_eq!(tenths(12345), "1234.5");
        assert_eq!(tenths(-5), "-0.5");
        assert_eq!(tenths(-15), "-1.5");
    }

    #[test]
    fn lenders_match_across_spellings() {
        assert_eq!(name_key("Kafo  Jiginew "), name_key("kafo jiginew"));
    }
}

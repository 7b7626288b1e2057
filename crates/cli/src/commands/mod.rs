//! One function per command: read the arguments, find the records they name, call the use
//! case inside `Ledger::run`, and describe the result. No SQL and no business rule here.

mod backup;
mod fertilizer;
mod finance;
pub mod lookup;
mod office;
mod org;
mod registry;
mod reports;
mod season;
mod settlement;
mod sync;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use sene_app::{Actor, Ledger, Tx};
use sene_domain::Lang;
use sene_store::Db;

use crate::cli::{
    AgentCommands, Cli, Command, CooperativeCommands, Global, MemberCommands, WarehouseCommands,
};
use crate::error::{CliError, CliResult};
use crate::output::Output;

/// What every command works with.
pub struct Ctx {
    pub ledger: Ledger,
    pub lang: Lang,
    pub json: bool,
    /// `--agent`, as typed.
    pub agent: Option<String>,
    pub store: PathBuf,
    /// The data key, when the store is encrypted (the hub serves the same file with it).
    pub key: Option<sene_store::DataKey>,
}

impl Ctx {
    /// Reads.
    pub fn db(&self) -> Db<'_> {
        self.ledger.db()
    }

    /// Today (the ledger's clock).
    pub fn today(&self) -> NaiveDate {
        self.ledger.now().date_naive()
    }

    /// Who acts: this store's device, and `--agent` or the store's default agent.
    pub fn actor(&self) -> CliResult<Actor> {
        let mut actor = self.ledger.local_actor()?;
        if let Some(a) = &self.agent {
            actor.agent = lookup::agent(&self.db(), a)?.id;
        }
        Ok(actor)
    }

    /// Runs use cases in one transaction as [`Ctx::actor`].
    pub fn run<T>(&mut self, f: impl FnOnce(&Tx<'_, '_>) -> sene_app::Result<T>) -> CliResult<T> {
        let actor = self.actor()?;
        Ok(self.ledger.run(&actor, f)?)
    }
}

/// The store file: `--store`, `SENE_STORE`, or the user's data folder.
pub fn store_path(given: Option<PathBuf>) -> CliResult<PathBuf> {
    if let Some(p) = given {
        return Ok(p);
    }
    dirs::data_dir()
        .map(|d| d.join("sene").join("sene.sqlite"))
        .ok_or_else(|| {
            CliError::msg(
                "store_missing",
                "dossier de données introuvable : donnez le fichier de la base avec --store",
                "no data folder found: give the store file with --store",
            )
        })
}

fn missing_store(path: &Path) -> CliError {
    CliError::msg(
        "store_missing",
        format!(
            "la base {} n'existe pas : créez-la avec « sene init » (ou « sene demo »), ou donnez le bon fichier avec --store",
            path.display()
        ),
        format!(
            "the store {} does not exist: create it with \"sene init\" (or \"sene demo\"), or give the right file with --store",
            path.display()
        ),
    )
}

/// Runs a parsed command line.
pub fn execute(cli: Cli, lang: Lang) -> CliResult<Output> {
    let path = store_path(cli.global.store)?;
    let creates = matches!(
        cli.command,
        Command::Init(_) | Command::Demo(_) | Command::Enroll(_) | Command::Restore(_)
    ) || matches!(&cli.command, Command::Backup(a) if a.action.is_some());
    if !creates && !path.exists() {
        return Err(missing_store(&path));
    }
    if let Command::Encrypt(a) = &cli.command {
        return encrypt(&path, &a.label);
    }
    // a backup is checked, listed or put back without opening the store
    match &cli.command {
        Command::Backup(a) if a.action.is_some() => return backup::without_store(a),
        Command::Restore(a) => return backup::restore(&path, &a.file),
        Command::Recover(a) => return org::recover(&path, a, lang),
        _ => {}
    }
    // `SENE_PASSPHRASE` given to make a store: it is made encrypted, then the command runs
    if matches!(
        cli.command,
        Command::Init(_) | Command::Demo(_) | Command::Enroll(_)
    ) && org::wants_encryption(&path)
    {
        let again = Cli {
            global: Global {
                store: Some(path.clone()),
                ..cli.global
            },
            command: cli.command,
        };
        return org::create_encrypted(&path, lang, move || execute(again, lang));
    }
    let (ledger, key) = open_ledger(&path, lang)?;
    let mut ctx = Ctx {
        ledger,
        lang,
        json: cli.global.json,
        agent: cli.global.agent,
        store: path,
        key,
    };
    if ctx.agent.is_some() && !creates {
        // An unknown `--agent` is an error even for a read.
        ctx.actor()?;
    }
    match cli.command {
        Command::Init(a) => org::init(&mut ctx, a),
        Command::Demo(a) => org::demo(&mut ctx, a),
        Command::Cooperative(CooperativeCommands::Org(c)) => org::cooperative(&mut ctx, c),
        Command::Cooperative(CooperativeCommands::Registry(c)) => {
            registry::cooperative(&mut ctx, c)
        }
        Command::Warehouse(WarehouseCommands::Org(c)) => org::warehouse(&mut ctx, c),
        Command::Warehouse(WarehouseCommands::Registry(c)) => registry::warehouse(&mut ctx, c),
        Command::AgentCmd(AgentCommands::Org(c)) => org::agent(&mut ctx, c),
        Command::AgentCmd(AgentCommands::Registry(c)) => registry::agent(&mut ctx, c),
        Command::Device(c) => org::device(&mut ctx, c),
        Command::Member(MemberCommands::Org(c)) => org::member(&mut ctx, c),
        Command::Member(MemberCommands::Registry(c)) => registry::member(&mut ctx, c),
        Command::Import(c) => crate::import::run(&mut ctx, c),
        Command::Campaign(c) => season::campaign(&mut ctx, c),
        Command::Contract(c) => season::contract(&mut ctx, c),
        Command::Disburse(a) => season::disburse(&mut ctx, a),
        Command::Delivery(c) => season::delivery(&mut ctx, c),
        Command::Reverse(a) => season::reverse(&mut ctx, a),
        Command::Fertilizer(c) => fertilizer::run(&mut ctx, c),
        Command::SaleLot(c) => finance::sale_lot(&mut ctx, c),
        Command::Lender(c) => finance::lender(&mut ctx, c),
        Command::CreditLine(c) => finance::credit_line(&mut ctx, c),
        Command::Drawdown(c) => finance::drawdown(&mut ctx, c),
        Command::Repayment(c) => finance::repayment(&mut ctx, c),
        Command::Allocation(c) => finance::allocation(&mut ctx, c),
        Command::Payment(c) => finance::payment(&mut ctx, c),
        Command::Report(c) => reports::report(&mut ctx, c),
        Command::Settlement(c) => settlement::run(&mut ctx, c),
        Command::Anomalies(c) => office::anomalies(&mut ctx, c),
        Command::Stock(c) => office::stock(&mut ctx, c),
        Command::Cash(c) => office::cash(&mut ctx, c),
        Command::Audit(a) => reports::audit(&ctx, a),
        Command::Check => reports::check(&ctx),
        Command::Table(a) => reports::table(&ctx, a),
        Command::Enroll(a) => sync::enroll(&mut ctx, a),
        Command::Sync(a) => sync::sync(&mut ctx, a),
        Command::Conflicts(c) => sync::conflicts(&mut ctx, c),
        Command::Hub(c) => sync::hub(&mut ctx, c),
        Command::Backup(a) => backup::backup(&ctx, &a),
        Command::Standby(a) => sync::standby(&mut ctx, &a),
        Command::Encrypt(_) | Command::Restore(_) | Command::Recover(_) => {
            Err(CliError::msg("internal", "déjà traité", "already handled"))
        }
    }
}

/// The passphrase of an encrypted store, from `SENE_PASSPHRASE`.
fn passphrase() -> CliResult<String> {
    std::env::var("SENE_PASSPHRASE").map_err(|_| {
        CliError::msg(
            "locked",
            "cette base est chiffrée : donnez la phrase secrète dans la variable SENE_PASSPHRASE (et le nom du compte dans SENE_ACCOUNT s'il y en a plusieurs)",
            "this store is encrypted: give the passphrase in SENE_PASSPHRASE (and the account name in SENE_ACCOUNT when there are several)",
        )
    })
}

/// Opens the store: a plain one as it is; an encrypted one with `SENE_PASSPHRASE`, tried on
/// the account named by `SENE_ACCOUNT` or on each account in turn, the session then acting as
/// that account's agent; or with `SENE_RECOVERY_KEY` when no passphrase is given (or the
/// key file is lost).
fn open_ledger(
    path: &std::path::Path,
    lang: Lang,
) -> CliResult<(Ledger, Option<sene_store::DataKey>)> {
    let (mut ledger, key) = open_ledger_as_found(path)?;
    // a store copied by hand takes a new identity before anything is written to it
    if let Some(generation) = ledger.check_file_identity()? {
        let next = ledger.next_receipt_number().unwrap_or_default();
        eprintln!(
            "{}",
            match lang {
                Lang::Fr => format!(
                    "Cette base a été copiée à la main (clé USB, autre disque) : elle prend une nouvelle identité de synchronisation (génération {generation}) et ses reçus une nouvelle série (prochain : {next}), pour qu'aucun numéro ne serve deux fois. Synchronisez-la avec le bureau."
                ),
                Lang::En => format!(
                    "This store was copied by hand (USB key, another disk): it takes a new sync identity (generation {generation}) and its receipts a new series (next: {next}), so no number is used twice. Sync it with the office."
                ),
            }
        );
    }
    Ok((ledger, key))
}

/// [`open_ledger`] without the check of the store's file: for a restore, which installs a
/// copy and gives it a new identity itself.
pub(crate) fn open_ledger_as_found(
    path: &std::path::Path,
) -> CliResult<(Ledger, Option<sene_store::DataKey>)> {
    use sene_store::{Store, Vault};
    if let Some((ledger, key)) = org::open_by_recovery_key(path)? {
        return Ok((ledger, Some(key)));
    }
    if !Vault::exists(path) {
        return Ok((Ledger::open(path)?, None));
    }
    let (mut vault, key, agent) = unlock(path)?;
    let store = Store::open_vault(path, &mut vault, &key)?;
    let mut ledger = Ledger::with_clock(store, Box::new(sene_app::SystemClock));
    if let Some(agent) = agent.and_then(|a| a.parse().ok()) {
        ledger.set_acting_agent(Some(agent))?;
    }
    Ok((ledger, Some(key)))
}

/// Unlocks the key file of the (encrypted) store or backup at `path` with `SENE_PASSPHRASE`,
/// tried on the account named by `SENE_ACCOUNT` or on each account in turn: the key file, the
/// data key and the account's agent.
pub(crate) fn unlock(
    path: &std::path::Path,
) -> CliResult<(sene_store::Vault, sene_store::DataKey, Option<String>)> {
    use sene_store::{StoreError, Vault};
    let pass = passphrase()?;
    let account = std::env::var("SENE_ACCOUNT").ok();
    let vault = Vault::load(path)?;
    let mut found = None;
    for slot in vault.slots() {
        if account
            .as_deref()
            .is_some_and(|a| !a.trim().eq_ignore_ascii_case(&slot.label))
        {
            continue;
        }
        match vault.unlock(&slot.id, &pass) {
            Ok(key) => {
                found = Some((key, slot.agent.clone()));
                break;
            }
            Err(StoreError::WrongPassphrase) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let (key, agent) = found.ok_or(StoreError::WrongPassphrase)?;
    Ok((vault, key, agent))
}

/// `sene encrypt`: encrypts a plain store in place and shows its recovery key, once.
fn encrypt(path: &std::path::Path, label: &str) -> CliResult<Output> {
    let pass = passphrase()?;
    let (_, key) =
        sene_store::Store::encrypt_plain(path, label, &pass, sene_store::KdfParams::DEFAULT)?;
    let recovery = key.recovery_text();
    Ok(Output::new(&serde_json::json!({ "encrypted": true, "recovery_key": recovery }))?
        .line(format!("Base chiffrée : {}", path.display()))
        .line(format!("Compte : {label}"))
        .line(format!("Clé de secours (notez-la et rangez-la à part, elle ne sera plus affichée) : {recovery}")))
}

/// Raw rows of a table, as JSON and as `col=value` lines.
pub fn raw_rows(ctx: &Ctx, table: sene_store::Table, limit: u32) -> CliResult<Output> {
    let rows = ctx.db().list_rows(table, limit)?;
    let mut out = Output::new(&rows)?;
    for r in &rows {
        out.push(crate::output::row_line(r));
    }
    if rows.is_empty() {
        out.push("(aucun enregistrement)");
    }
    Ok(out)
}

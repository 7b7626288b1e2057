//! What every command works with: the store opened (plain, encrypted with a passphrase, or
//! with its recovery key), the session's language and output form, and who acts.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use sene_app::{Actor, Ledger, Tx};
use sene_domain::Lang;
use sene_store::{DataKey, Db, Vault};

use crate::error::{CliError, CliResult};
use crate::lookup;
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

    /// The union office's figures are the secretariat's, from the CLI as from the window
    /// ([`sene_app::Ledger::require_office_reader`]).
    pub fn require_office(&self) -> CliResult<()> {
        let actor = self.actor()?;
        Ok(self.ledger.require_office_reader(&actor)?)
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

pub fn missing_store(path: &Path) -> CliError {
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

/// The passphrase of an encrypted store, from `SENE_PASSPHRASE`.
pub fn passphrase() -> CliResult<String> {
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
pub fn open_ledger(
    path: &std::path::Path,
    lang: Lang,
) -> CliResult<(Ledger, Option<sene_store::DataKey>)> {
    let (mut ledger, key) = open_ledger_as_found(path)?;
    // a store of an older Sene was upgraded: say so, and where the copy of it as it was is
    if let Some(old) = ledger.store().upgraded_from() {
        let now = sene_store::MIGRATIONS.last().map_or(0, |m| m.version);
        let copy = sene_store::pre_upgrade_copy(path, old);
        eprintln!(
            "{}",
            match lang {
                Lang::Fr => format!(
                    "Base mise à jour pour cette version de Sene (schéma {old} → {now}) ; la base telle qu'elle était est gardée dans {}",
                    copy.display()
                ),
                Lang::En => format!(
                    "Store upgraded for this version of Sene (schema {old} → {now}); the store as it was is kept in {}",
                    copy.display()
                ),
            }
        );
    }
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
pub fn open_ledger_as_found(
    path: &std::path::Path,
) -> CliResult<(Ledger, Option<sene_store::DataKey>)> {
    use sene_store::{Store, Vault};
    if let Some((ledger, key)) = open_by_recovery_key(path)? {
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
pub fn unlock(
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

/// Opens an encrypted store with `SENE_RECOVERY_KEY`, when it is given and no passphrase
/// can open the store instead (`SENE_PASSPHRASE` absent, or the key file lost). `None`:
/// open the store the usual way. An encrypted store with neither is refused, naming both.
pub fn open_by_recovery_key(path: &Path) -> CliResult<Option<(Ledger, DataKey)>> {
    let passphrase = std::env::var_os("SENE_PASSPHRASE").is_some();
    let Ok(text) = std::env::var("SENE_RECOVERY_KEY") else {
        if !passphrase && Vault::exists(path) {
            return Err(CliError::msg(
                "locked",
                "cette base est chiffrée : donnez la phrase secrète dans la variable SENE_PASSPHRASE (et le nom du compte dans SENE_ACCOUNT s'il y en a plusieurs), ou la clé de secours dans SENE_RECOVERY_KEY",
                "this store is encrypted: give the passphrase in SENE_PASSPHRASE (and the account name in SENE_ACCOUNT when there are several), or the recovery key in SENE_RECOVERY_KEY",
            ));
        }
        return Ok(None);
    };
    if (passphrase && Vault::exists(path)) || !Vault::looks_encrypted(path) {
        return Ok(None);
    }
    let (store, key) = Vault::open_with_recovery_key(path, &text)?;
    Ok(Some((
        Ledger::with_clock(store, Box::new(sene_app::SystemClock)),
        key,
    )))
}

/// Raw rows of a table, as JSON and as `col=value` lines.
pub fn raw_rows(ctx: &Ctx, table: sene_store::Table, limit: u32) -> CliResult<Output> {
    let rows = ctx.db().list_rows(table, limit)?;
    let mut out = Output::new(&rows)?;
    for r in &rows {
        out.push(crate::output::row_line(r));
    }
    if rows.is_empty() {
        out.push(crate::lang::tr(
            ctx.lang,
            "(aucun enregistrement)",
            "(no record)",
        ));
    }
    Ok(out)
}

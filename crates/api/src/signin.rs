//! The door: what the window can do before anyone is signed in, and the accounts of a shared
//! device once someone is.
//!
//! A [`Gate`] knows where the store is and nothing of its content. It makes the store's key
//! at first start (the first account and the recovery key), opens it for an account's
//! passphrase, and gives back a [`Session`] acting as that account's agent. Locking is
//! dropping the session: the connection closes and the data key is zeroed.

use std::path::{Path, PathBuf};

use sene_app::{Ledger, StoreError};
use sene_domain::{AgentId, Lang, Role};
use sene_store::backup::{self, BackupError, BackupManifest};
use sene_store::{DataKey, KdfParams, Store, Vault};

use crate::dto::*;
use crate::error::{ApiError, ErrorCode};
use crate::session::{Session, R};

/// Setting: minutes of inactivity before the window locks itself.
pub(crate) const IDLE_LOCK_SETTING: &str = "idle_lock_minutes";
/// The idle lock when none is set.
pub(crate) const IDLE_LOCK_DEFAULT: u32 = 10;
/// The longest idle lock that can be set (a working day's half).
pub(crate) const IDLE_LOCK_MAX: u32 = 240;

/// The encrypted store of an open session: its key file, who signed in, and the data key
/// (kept to start the office's hub on the same file).
#[derive(Debug)]
pub(crate) struct Unlocked {
    pub(crate) vault: Vault,
    pub(crate) account: String,
    pub(crate) key: DataKey,
}

/// Where the store is, before it is opened.
#[derive(Debug, Clone)]
pub struct Gate {
    path: PathBuf,
    clock: Option<chrono::DateTime<chrono::Utc>>,
    kdf: KdfParams,
}

fn store_err(e: &StoreError, lang: Lang) -> ApiError {
    ApiError::from_store(e, lang)
}

fn check_confirm(passphrase: &str, confirm: &str, lang: Lang) -> R<()> {
    if passphrase != confirm {
        return Err(ApiError {
            code: ErrorCode::InvalidValue,
            message: tr(
                lang,
                "confirmation : les deux phrases secrètes diffèrent",
                "confirmation: the two passphrases differ",
            ),
            field: Some("confirm".into()),
        });
    }
    Ok(())
}

impl Gate {
    /// The store at `SENE_STORE`, or `<data folder>/sene/sene.sqlite` (the file the `sene`
    /// command uses). `SENE_CLOCK` (an RFC 3339 instant) fixes the clock of the sessions it
    /// opens (the end-to-end tests stand inside a campaign's windows with it).
    ///
    /// # Errors
    /// A malformed `SENE_CLOCK`.
    pub fn from_env() -> R<Gate> {
        let path = match std::env::var_os("SENE_STORE") {
            Some(p) => PathBuf::from(p),
            None => dirs::data_dir()
                .unwrap_or_else(|| PathBuf::from("."))
                .join("sene")
                .join("sene.sqlite"),
        };
        let clock = match std::env::var("SENE_CLOCK") {
            Ok(t) => Some(
                chrono::DateTime::parse_from_rfc3339(t.trim())
                    .map_err(|e| {
                        ApiError::new(ErrorCode::Internal, format!("SENE_CLOCK « {t} » : {e}"))
                    })?
                    .with_timezone(&chrono::Utc),
            ),
            Err(_) => None,
        };
        Ok(Gate {
            path,
            clock,
            kdf: KdfParams::DEFAULT,
        })
    }

    /// A gate on `path` with the system clock and the default key derivation.
    #[must_use]
    pub fn new(path: PathBuf) -> Gate {
        Gate {
            path,
            clock: None,
            kdf: KdfParams::DEFAULT,
        }
    }

    /// The same gate with another Argon2id cost (tests use a cheap one).
    #[must_use]
    pub fn with_kdf(mut self, kdf: KdfParams) -> Gate {
        self.kdf = kdf;
        self
    }

    /// The same gate with a fixed clock.
    #[must_use]
    pub fn with_clock(mut self, at: chrono::DateTime<chrono::Utc>) -> Gate {
        self.clock = Some(at);
        self
    }

    /// The store's file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where the store stands: new, plain, locked (with its accounts) or unreadable.
    #[must_use]
    pub fn status(&self) -> VaultStatus {
        let store_path = self.path.display().to_string();
        let has_file = std::fs::metadata(&self.path).is_ok_and(|m| m.len() > 0);
        if Vault::exists(&self.path) {
            return match Vault::load(&self.path) {
                Ok(v) => VaultStatus {
                    state: "locked".into(),
                    accounts: v
                        .slots()
                        .iter()
                        .map(|s| AccountView {
                            id: s.id.clone(),
                            label: s.label.clone(),
                            agent_id: s.agent.clone(),
                            agent_name: None,
                            role_label: None,
                        })
                        .collect(),
                    store_path,
                    problem: None,
                },
                Err(e) => VaultStatus {
                    state: "unreadable".into(),
                    accounts: Vec::new(),
                    store_path,
                    problem: Some(e.message(Lang::Fr)),
                },
            };
        }
        VaultStatus {
            state: if has_file { "plain" } else { "new" }.into(),
            accounts: Vec::new(),
            store_path,
            problem: None,
        }
    }

    fn session(&self, store: Store, unlocked: Unlocked, lang: Lang) -> R<Session> {
        let clock: Box<dyn sene_app::Clock> = match self.clock {
            Some(at) => Box::new(sene_app::FixedClock::new(at)),
            None => Box::new(sene_app::SystemClock),
        };
        let receipts = self
            .path
            .parent()
            .map_or_else(|| PathBuf::from("receipts"), |p| p.join("receipts"));
        let mut ledger = Ledger::with_clock(store, clock);
        // a store copied by hand takes a new identity before anything is written to it
        ledger
            .check_file_identity()
            .map_err(|e| ApiError::from_app(&e, lang))?;
        let mut session = Session::new(ledger, receipts).with_store_path(self.path.clone());
        session.unlocked = Some(unlocked);
        Ok(session)
    }

    /// Opens the store with an unwrapped key and a session acting as the account's agent (the
    /// account bound to the device's agent first, if the store knows one and it is not yet).
    fn open(&self, mut vault: Vault, account: String, key: DataKey, lang: Lang) -> R<Session> {
        let store =
            Store::open_vault(&self.path, &mut vault, &key).map_err(|e| store_err(&e, lang))?;
        let mut session = self.session(
            store,
            Unlocked {
                vault,
                account,
                key,
            },
            lang,
        )?;
        session.bind_account()?;
        session.act_as_account()?;
        Ok(session)
    }

    /// First start on this device: makes the store's key with a first account, creates the
    /// (empty, encrypted) store, and opens a session. The recovery key is in the answer,
    /// once.
    ///
    /// # Errors
    /// A store already there, a weak or unconfirmed passphrase, an empty name.
    pub fn create(&self, req: &CreateVaultRequest) -> R<(Session, String)> {
        let lang = gate_lang(req.lang.as_deref().unwrap_or_default());
        check_confirm(&req.passphrase, &req.confirm, lang)?;
        if Vault::exists(&self.path) || std::fs::metadata(&self.path).is_ok_and(|m| m.len() > 0) {
            let path = self.path.display();
            return Err(ApiError::new(
                ErrorCode::AlreadyInitialized,
                tr(
                    lang,
                    &format!("{path} existe déjà : connectez-vous, ou chiffrez la base existante"),
                    &format!("{path} already exists: sign in, or encrypt the existing store"),
                ),
            ));
        }
        let (vault, key) = Vault::create(&self.path, &req.label, &req.passphrase, self.kdf)
            .map_err(|e| store_err(&e, lang))?;
        vault.save().map_err(|e| store_err(&e, lang))?;
        let account = vault.slots()[0].id.clone();
        let recovery = key.recovery_text();
        Ok((self.open(vault, account, key, lang)?, recovery))
    }

    /// A store made before encryption: encrypts it in place, with a first account.
    ///
    /// # Errors
    /// No plain store here, a weak or unconfirmed passphrase, store errors.
    pub fn encrypt_existing(&self, req: &CreateVaultRequest) -> R<(Session, String)> {
        let lang = gate_lang(req.lang.as_deref().unwrap_or_default());
        check_confirm(&req.passphrase, &req.confirm, lang)?;
        let (vault, key) = Store::encrypt_plain(&self.path, &req.label, &req.passphrase, self.kdf)
            .map_err(|e| store_err(&e, lang))?;
        let account = vault.slots()[0].id.clone();
        let recovery = key.recovery_text();
        Ok((self.open(vault, account, key, lang)?, recovery))
    }

    /// Signs in: the account's passphrase unwraps the key, the store opens, and the session
    /// acts as the account's agent.
    ///
    /// # Errors
    /// [`ErrorCode::WrongPassphrase`] (nothing opened), a foreign or damaged file, an
    /// unknown account.
    pub fn sign_in(&self, req: &SignInRequest) -> R<Session> {
        let lang = gate_lang(req.lang.as_deref().unwrap_or_default());
        let vault = Vault::load(&self.path).map_err(|e| store_err(&e, lang))?;
        let key = vault
            .unlock(req.account.trim(), &req.passphrase)
            .map_err(|e| store_err(&e, lang))?;
        self.open(vault, req.account.trim().to_owned(), key, lang)
    }

    /// Every passphrase forgotten, or the key file lost: the recovery key opens the store and
    /// a new key file is made with one account (the other agents are given theirs again).
    ///
    /// # Errors
    /// An unreadable recovery key, a key that does not open this store, a weak passphrase.
    pub fn recover(&self, req: &RecoverRequest) -> R<Session> {
        let lang = gate_lang(req.lang.as_deref().unwrap_or_default());
        check_confirm(&req.passphrase, &req.confirm, lang)?;
        let (vault, key) = Vault::recover(
            &self.path,
            &req.recovery_key,
            &req.label,
            &req.passphrase,
            self.kdf,
        )
        .map_err(|e| store_err(&e, lang))?;
        let account = vault.slots()[0].id.clone();
        self.open(vault, account, key, lang)
    }
}

/// A restore's error on one of its fields, in the gate's language.
fn restore_field(code: ErrorCode, field: &str, message: String) -> ApiError {
    ApiError {
        code,
        message,
        field: Some(field.to_owned()),
    }
}

fn gate_lang(lang: &str) -> Lang {
    if lang.trim().starts_with("en") {
        Lang::En
    } else {
        Lang::Fr
    }
}

fn tr(lang: Lang, fr: &str, en: &str) -> String {
    if lang == Lang::En { en } else { fr }.to_owned()
}

/// A backup read and unlocked: its file and data key (when encrypted), the labels of
/// its accounts.
struct Opened {
    file: PathBuf,
    key: Option<DataKey>,
    accounts: Vec<String>,
}

impl Gate {
    /// The date a store moved aside is named by: the clock's (`backup::aside_path` adds `-2`,
    /// `-3`… when a store was already moved aside under it).
    fn aside_stamp(&self) -> String {
        self.clock
            .unwrap_or_else(chrono::Utc::now)
            .format("%Y%m%d-%H%M%S")
            .to_string()
    }

    /// The backup file named by the request: there, a backup (a readable manifest), not the
    /// store itself; unlocked by the passphrase of one of its accounts, or by its recovery key.
    fn open_backup(&self, req: &RestoreRequest, lang: Lang) -> R<Opened> {
        let file_err = |fr: String, en: String| {
            restore_field(
                ErrorCode::File,
                "file",
                if lang == Lang::En { en } else { fr },
            )
        };
        let typed = req.file.trim();
        if typed.is_empty() {
            return Err(restore_field(
                ErrorCode::InvalidValue,
                "file",
                tr(
                    lang,
                    "indiquez le chemin du fichier de sauvegarde (ex. /media/clé/sene-….sqlite)",
                    "type the path of the backup file (e.g. /media/drive/sene-….sqlite)",
                ),
            ));
        }
        let file = match (typed.strip_prefix("~/"), dirs::home_dir()) {
            (Some(rest), Some(home)) => home.join(rest),
            _ => PathBuf::from(typed),
        };
        if !file.is_file() {
            return Err(file_err(
                format!(
                    "aucun fichier à {} : vérifiez le chemin et que la clé USB est branchée",
                    file.display()
                ),
                format!(
                    "no file at {}: check the path and that the USB drive is plugged in",
                    file.display()
                ),
            ));
        }
        let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        };
        if same(&file, &self.path) {
            return Err(file_err(
                "c'est le fichier des données de cet ordinateur, pas une sauvegarde".into(),
                "this is this computer's data file, not a backup".into(),
            ));
        }
        let manifest = backup::read_manifest(&file).map_err(|_| {
            file_err(
                format!("{} n'est pas une sauvegarde Sene (pas de manifeste {} à côté) : choisissez le fichier .sqlite écrit par « Sauvegarder »", file.display(), backup::manifest_path(&file).display()),
                format!("{} is not a Sene backup (no manifest {} beside it): choose the .sqlite file written by \"Back up\"", file.display(), backup::manifest_path(&file).display()),
            )
        })?;
        if !manifest.encrypted {
            return Ok(Opened {
                file,
                key: None,
                accounts: Vec::new(),
            });
        }
        let vault = Vault::load(&file).map_err(|_| {
            file_err(
                format!("la sauvegarde est chiffrée mais son fichier de clés {} manque ou est illisible : copiez-le à côté d'elle", Vault::key_path(&file).display()),
                format!("the backup is encrypted but its key file {} is missing or unreadable: copy it beside it", Vault::key_path(&file).display()),
            )
        })?;
        let accounts = vault.slots().iter().map(|s| s.label.clone()).collect();
        if req.passphrase.is_empty() {
            return Err(restore_field(
                ErrorCode::InvalidValue,
                "passphrase",
                tr(
                    lang,
                    "cette sauvegarde est chiffrée : tapez la phrase secrète d'un de ses comptes (ou sa clé de secours)",
                    "this backup is encrypted: type the passphrase of one of its accounts (or its recovery key)",
                ),
            ));
        }
        let wrong = || {
            restore_field(
                ErrorCode::WrongPassphrase,
                "passphrase",
                tr(
                    lang,
                    "cette phrase secrète n'ouvre aucun compte de la sauvegarde (ni comme clé de secours) : vérifiez les majuscules et la langue du clavier",
                    "this passphrase opens none of the backup's accounts (nor as its recovery key): check capitals and the keyboard language",
                ),
            )
        };
        let mut key = None;
        for slot in vault.slots() {
            match vault.unlock(&slot.id, &req.passphrase) {
                Ok(k) => {
                    key = Some(k);
                    break;
                }
                Err(StoreError::WrongPassphrase) => {}
                Err(e) => return Err(file_err(e.message(Lang::Fr), e.message(Lang::En))),
            }
        }
        let key = match key {
            Some(k) => k,
            None => DataKey::from_recovery_text(&req.passphrase).map_err(|_| wrong())?,
        };
        Ok(Opened {
            file,
            key: Some(key),
            accounts,
        })
    }

    /// Verifies an opened backup (its fingerprint, integrity, identity): a wrong key (a
    /// recovery key of another store) is the passphrase's error, anything else the file's.
    fn verify_backup(o: &Opened, lang: Lang) -> R<BackupManifest> {
        backup::verify(&o.file, o.key.as_ref()).map_err(|e| match &e {
            BackupError::Store(StoreError::NotADatabase { .. }) if o.key.is_some() => {
                restore_field(
                    ErrorCode::WrongPassphrase,
                    "passphrase",
                    tr(
                        lang,
                        "cette clé n'ouvre pas la sauvegarde : tapez la phrase secrète d'un de ses comptes",
                        "this key does not open the backup: type the passphrase of one of its accounts",
                    ),
                )
            }
            _ => {
                let mut err = ApiError::from_backup(&e, lang);
                if err.code != ErrorCode::StoreError {
                    err.code = ErrorCode::File;
                }
                err.message = format!(
                    "{} {}",
                    e.message(lang),
                    tr(
                        lang,
                        "— rien n'a été changé ; prenez une autre sauvegarde.",
                        "— nothing was changed; take another backup.",
                    )
                );
                err.field = Some("file".into());
                err
            }
        })
    }

    /// `restore_check`: reads the backup's manifest and verifies it (nothing is written):
    /// when it was taken, its size, schema, whether it is encrypted, and what happens to the
    /// store in place (moved aside, never deleted).
    ///
    /// # Errors
    /// On `file`: no file, not a backup, damaged, key file missing; on `passphrase`: empty for
    /// an encrypted backup, or opening none of its accounts.
    pub fn restore_check(&self, req: &RestoreRequest) -> R<RestoreCheckView> {
        let lang = gate_lang(&req.lang);
        let opened = self.open_backup(req, lang)?;
        let m = Self::verify_backup(&opened, lang)?;
        let replaces_store = self.path.exists();
        let stamp = self.aside_stamp();
        Ok(RestoreCheckView {
            file: opened.file.display().to_string(),
            made_at: m.made_at.clone(),
            bytes: m.bytes.to_string(),
            size_label: crate::drives::size_label(m.bytes, lang),
            schema_version: u32::try_from(m.schema_version).unwrap_or(0),
            encrypted: m.encrypted,
            accounts: opened.accounts,
            store_path: self.path.display().to_string(),
            replaces_store,
            moved_aside_to: replaces_store
                .then(|| backup::aside_path(&self.path, &stamp).display().to_string()),
        })
    }

    /// `restore_backup`: verifies the backup, refuses while a hub serves the store, puts it in
    /// place (the store there moved aside to `<store>.avant-restauration-<stamp>`, never
    /// deleted), opens it and marks it restored (a new sync identity and receipt series), then
    /// closes it: the gate stands as before, and one signs in on the restored store.
    ///
    /// # Errors
    /// As [`Gate::restore_check`]; the store served by a hub; I/O errors putting it in place.
    pub fn restore(&self, req: &RestoreRequest) -> R<RestoreView> {
        let lang = gate_lang(&req.lang);
        let opened = self.open_backup(req, lang)?;
        let manifest = Self::verify_backup(&opened, lang)?;
        let in_place = |e: &BackupError| ApiError::from_backup(e, lang);
        backup::check_not_served(&self.path).map_err(|e| in_place(&e))?;
        let stamp = self.aside_stamp();
        let moved = backup::install(&opened.file, &self.path, &stamp).map_err(|e| in_place(&e))?;
        let store = match &opened.key {
            Some(key) => Store::open_with_key(&self.path, key),
            None => Store::open(&self.path),
        }
        .map_err(|e| ApiError::from_store(&e, lang))?;
        let clock: Box<dyn sene_app::Clock> = match self.clock {
            Some(at) => Box::new(sene_app::FixedClock::new(at)),
            None => Box::new(sene_app::SystemClock),
        };
        let mut ledger = Ledger::with_clock(store, clock);
        let generation = ledger
            .mark_restored(&manifest, &opened.file, moved.as_deref())
            .map_err(|e| ApiError::from_app(&e, lang))?;
        let first_receipt = ledger.next_receipt_number().ok();
        drop(ledger);
        Ok(RestoreView {
            made_at: manifest.made_at,
            generation,
            first_receipt,
            moved_aside: moved.map(|p| p.display().to_string()),
            vault: self.status(),
        })
    }
}

impl Session {
    /// Makes the signed-in account's agent the one who acts.
    pub(crate) fn act_as_account(&mut self) -> R<()> {
        let Some(u) = &self.unlocked else {
            return Ok(());
        };
        let agent = u
            .vault
            .slots()
            .iter()
            .find(|s| s.id == u.account)
            .and_then(|s| s.agent.as_deref())
            .and_then(|a| a.parse::<AgentId>().ok());
        if let Some(agent) = agent {
            self.ledger
                .set_acting_agent(Some(agent))
                .map_err(|e| self.app(&e))?;
        }
        Ok(())
    }

    /// Once the store has its first agent (union created, demo loaded, device enrolled), the
    /// account that made the key is bound to that agent.
    pub(crate) fn bind_account(&mut self) -> R<()> {
        let Some(u) = &mut self.unlocked else {
            return Ok(());
        };
        let slot = u.vault.slots().iter().find(|s| s.id == u.account).cloned();
        let Some(slot) = slot else { return Ok(()) };
        if slot.agent.is_some() {
            return Ok(());
        }
        let Ok(actor) = self.ledger.local_actor() else {
            return Ok(());
        };
        let lang = self.lang;
        u.vault
            .bind_agent(&slot.id, &actor.agent.to_string())
            .map_err(|e| store_err(&e, lang))?;
        Ok(())
    }

    /// The label of the signed-in account, if the store is encrypted.
    pub(crate) fn account_label(&self) -> Option<String> {
        let u = self.unlocked.as_ref()?;
        u.vault
            .slots()
            .iter()
            .find(|s| s.id == u.account)
            .map(|s| s.label.clone())
    }

    /// The data key of the open store (to serve the same file from the office's hub).
    pub(crate) fn data_key(&self) -> Option<DataKey> {
        self.unlocked.as_ref().map(|u| u.key.clone())
    }

    /// `list_accounts`: who signs in on this device.
    ///
    /// # Errors
    /// Store errors.
    pub fn accounts(&self) -> R<Vec<AccountView>> {
        let Some(u) = &self.unlocked else {
            return Ok(Vec::new());
        };
        let db = self.ledger.db();
        let mut out = Vec::new();
        for s in u.vault.slots() {
            let agent = match s.agent.as_deref().and_then(|a| a.parse::<AgentId>().ok()) {
                Some(a) => db.agent(a).map_err(|e| self.app(&e.into()))?,
                None => None,
            };
            out.push(AccountView {
                id: s.id.clone(),
                label: s.label.clone(),
                agent_id: s.agent.clone(),
                role_label: agent
                    .as_ref()
                    .map(|a| self.label(a.role.label_fr(), a.role.label_en())),
                agent_name: agent.map(|a| a.name),
            });
        }
        Ok(out)
    }

    /// `add_account`: the secretariat gives an agent known to the store a sign-in on this
    /// device (a committee member who approves on a field laptop, a second agent sharing it).
    /// Only the secretariat: an agent who could make accounts could sign in as anyone, and
    /// the second person of maker-checker would be no one.
    ///
    /// # Errors
    /// Not encrypted, not the secretariat, unknown agent, weak or unconfirmed passphrase.
    pub fn add_account(&mut self, req: &AddAccountRequest) -> R<Vec<AccountView>> {
        check_confirm(&req.passphrase, &req.confirm, self.lang)?;
        self.require_secretariat()?;
        let agent_id: AgentId = self.id("agent", &req.agent_id)?;
        let agent = self
            .ledger
            .db()
            .agent(agent_id)
            .map_err(|e| self.app(&e.into()))?
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::NotFound,
                    self.label(
                        &format!("agent introuvable : « {agent_id} »"),
                        &format!("agent not found: \"{agent_id}\""),
                    ),
                )
            })?;
        let lang = self.lang;
        let Some(u) = &mut self.unlocked else {
            return Err(ApiError::new(
                ErrorCode::RuleRefused,
                tr(
                    lang,
                    "cette base n'est pas chiffrée : chiffrez-la d'abord",
                    "this store is not encrypted: encrypt it first",
                ),
            ));
        };
        let kdf = KdfParams::DEFAULT;
        u.vault
            .add_slot(
                &u.key,
                &agent.name,
                Some(&agent_id.to_string()),
                &req.passphrase,
                kdf,
            )
            .map_err(|e| store_err(&e, lang))?;
        self.accounts()
    }

    /// `remove_account`: the secretariat removes a sign-in from this device (never its own,
    /// never the last).
    ///
    /// # Errors
    /// Not the secretariat, the signed-in account, the last account.
    pub fn remove_account(&mut self, req: &AccountRequest) -> R<Vec<AccountView>> {
        self.require_secretariat()?;
        let lang = self.lang;
        let Some(u) = &mut self.unlocked else {
            return Ok(Vec::new());
        };
        if u.account == req.account.trim() {
            return Err(ApiError::new(
                ErrorCode::RuleRefused,
                tr(
                    lang,
                    "on ne retire pas le compte avec lequel on est connecté",
                    "the account signed in cannot be removed",
                ),
            ));
        }
        u.vault
            .remove_slot(req.account.trim())
            .map_err(|e| store_err(&e, lang))?;
        self.accounts()
    }

    /// `set_idle_lock`: minutes without activity before the window locks (0: never).
    ///
    /// # Errors
    /// More than [`IDLE_LOCK_MAX`] minutes; store errors.
    pub fn set_idle_lock(&mut self, req: &IdleLockRequest) -> R<AppStatus> {
        if req.minutes > IDLE_LOCK_MAX {
            return Err(ApiError::invalid(
                self.lang,
                "minutes",
                &format!("au plus {IDLE_LOCK_MAX} minutes"),
                &format!("at most {IDLE_LOCK_MAX} minutes"),
            ));
        }
        self.ledger
            .set_setting(IDLE_LOCK_SETTING, &req.minutes.to_string())
            .map_err(|e| self.app(&e))?;
        self.status()
    }

    pub(crate) fn idle_lock_minutes(&self) -> u32 {
        self.ledger
            .setting(IDLE_LOCK_SETTING)
            .ok()
            .flatten()
            .and_then(|m| m.parse().ok())
            .unwrap_or(IDLE_LOCK_DEFAULT)
    }

    fn require_secretariat(&self) -> R<()> {
        let actor = self.actor()?;
        let role = self
            .ledger
            .db()
            .agent(actor.agent)
            .map_err(|e| self.app(&e.into()))?
            .map(|a| a.role);
        if role != Some(Role::Secretariat) {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                self.label(
                    "seul le secrétariat donne un compte sur un appareil",
                    "only the secretariat gives an account on a device",
                ),
            ));
        }
        Ok(())
    }
}

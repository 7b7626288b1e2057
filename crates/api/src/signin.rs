//! The door: what the window can do before anyone is signed in (the accounts of a shared
//! device once someone is are the session's: `session/accounts.rs`).
//!
//! A [`Gate`] knows where the store is and nothing of its content. It makes the store's key
//! at first start (the first account and the recovery key), opens it for an account's
//! passphrase, and gives back a [`Session`] acting as that account's agent. Locking is
//! dropping the session: the connection closes and the data key is zeroed.

use std::path::{Path, PathBuf};

use sene_app::{Ledger, StoreError};
use sene_domain::Lang;
use sene_store::backup::{self, BackupError, BackupManifest};
use sene_store::{DataKey, KdfParams, Store, Vault};

use crate::dto::*;
use crate::error::{ApiError, ErrorCode};
use crate::session::{check_confirm, store_err, tr, Session, Unlocked, R};

/// Where the store is, before it is opened.
#[derive(Debug, Clone)]
pub struct Gate {
    path: PathBuf,
    clock: Option<chrono::DateTime<chrono::Utc>>,
    kdf: KdfParams,
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

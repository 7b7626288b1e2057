//! The session the desktop window talks to: one ledger, the acting agent, the language, and
//! one method per command. Each method parses the request, calls the use case, maps the answer.
//!
//! This file holds the [`Session`] itself, its constructor and the helpers every command uses
//! (parsing a field, an id, the acting agent, today, a label in the session's language, the
//! wire form of money, weights and dates). The commands are in one file per area below
//! `session/`; the secretariat's, the hub's, the registry's and the finance commands are in
//! `office.rs`, `hub.rs`, `registry.rs` and `finance.rs`.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::NaiveDate;
use sene_app::{Actor, AppError, Ledger, StoreError};
use sene_domain::*;

use crate::dto::*;
use crate::error::{ApiError, ErrorCode};

/// A step of a sync, for the progress bar.
pub type SyncProgress = SyncProgressView;

mod accounts;
mod backups;
mod cards;
mod fertilizer;
mod members;
mod receipts;
mod reversal;
mod season;
mod sheets;
mod status;
mod sync;

pub(crate) use accounts::{check_confirm, Unlocked, IDLE_LOCK_DEFAULT, IDLE_LOCK_MAX};
pub(crate) use sync::usb_steps;

/// Setting: the interface language.
const LANG_SETTING: &str = "ui_lang";
/// A backup older than this (by the ledger's clock), or none at all, is overdue: the office's
/// dashboard warns. The rule is the ledger's ([`sene_app::Ledger::backup_overdue`]).
pub use sene_app::BACKUP_MAX_AGE_HOURS;

pub(crate) type R<T> = Result<T, ApiError>;

/// One open store and who is using it.
pub struct Session {
    pub(crate) ledger: Ledger,
    pub(crate) lang: Lang,
    pub(crate) receipts_dir: PathBuf,
    /// The store's file, when the session opened one (the office's hub serves the same file).
    pub(crate) store_path: Option<PathBuf>,
    /// The hub this app started, and the address it listens on.
    pub(crate) hub: Option<std::net::SocketAddr>,
    /// The key file and signed-in account, when the store is encrypted.
    pub(crate) unlocked: Option<Unlocked>,
    /// The weighing station's scale (its reader thread stops with the session).
    pub(crate) scale: crate::scale::ScaleStation,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("lang", &self.lang)
            .field("receipts_dir", &self.receipts_dir)
            .finish_non_exhaustive()
    }
}

pub(crate) fn money(m: Money) -> String {
    m.francs().to_string()
}

pub(crate) fn kg(k: Kg) -> String {
    k.as_decimal().normalize().to_string()
}

pub(crate) fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// `fr` or `en`, as `lang` says (the door's language, or the session's while its key file is
/// borrowed).
pub(crate) fn tr(lang: Lang, fr: &str, en: &str) -> String {
    if lang == Lang::En { en } else { fr }.to_owned()
}

/// A store error (opening, a key file), in `lang`.
pub(crate) fn store_err(e: &StoreError, lang: Lang) -> ApiError {
    ApiError::from_store(e, lang)
}

impl Session {
    /// A session on an open ledger; receipts are saved under `receipts_dir`.
    #[must_use]
    pub fn new(ledger: Ledger, receipts_dir: PathBuf) -> Self {
        let lang = match ledger.setting(LANG_SETTING).ok().flatten().as_deref() {
            Some("en") => Lang::En,
            _ => Lang::Fr,
        };
        Session {
            ledger,
            lang,
            receipts_dir,
            store_path: None,
            hub: None,
            unlocked: None,
            scale: crate::scale::ScaleStation::default(),
        }
    }

    /// The same session, knowing the store's file (what the office's hub serves).
    #[must_use]
    pub fn with_store_path(mut self, path: PathBuf) -> Self {
        self.store_path = Some(path);
        self
    }

    /// The ledger (for tests and the shell).
    pub fn ledger(&mut self) -> &mut Ledger {
        &mut self.ledger
    }

    pub(crate) fn app(&self, e: &AppError) -> ApiError {
        ApiError::from_app(e, self.lang)
    }

    fn parse<T: FromStr<Err = DomainError>>(&self, field: &str, v: &str) -> R<T> {
        v.parse::<T>().map_err(|e| {
            let mut err = ApiError::from_app(&AppError::Domain(e), self.lang);
            err.field = Some(field.to_owned());
            err.message = if self.lang == Lang::Fr {
                format!("{field} : {}", err.message)
            } else {
                format!("{}: {}", sene_domain::label_en(field), err.message)
            };
            err
        })
    }

    /// As `parse`, the error naming the request's field `key` and saying `label`.
    pub(crate) fn parse_field<T: FromStr<Err = DomainError>>(
        &self,
        key: &str,
        label: &str,
        v: &str,
    ) -> R<T> {
        let mut err = match self.parse::<T>(label, v.trim()) {
            Ok(t) => return Ok(t),
            Err(e) => e,
        };
        err.field = Some(key.to_owned());
        Err(err)
    }

    /// The id the window minted for a record it is about to write, if it sent one.
    pub(crate) fn record_id<T: FromStr>(&self, what: &str, v: Option<&str>) -> R<Option<T>> {
        match v.map(str::trim) {
            None | Some("") => Ok(None),
            Some(v) => v.parse::<T>().map(Some).map_err(|_| {
                ApiError::invalid(
                    self.lang,
                    what,
                    &format!("identifiant « {v} » invalide"),
                    &format!("invalid id \"{v}\""),
                )
            }),
        }
    }

    pub(crate) fn id<T: FromStr>(&self, what: &str, v: &str) -> R<T> {
        v.trim().parse::<T>().map_err(|_| {
            ApiError::new(
                ErrorCode::NotFound,
                if self.lang == Lang::Fr {
                    format!("{what} introuvable : « {v} »")
                } else {
                    format!("{} not found: \"{v}\"", sene_domain::label_en(what))
                },
            )
        })
    }

    fn count(&self, field: &str, v: &str) -> R<u32> {
        let t = v.trim();
        t.parse::<u32>().map_err(|_| {
            ApiError::invalid(
                self.lang,
                field,
                &format!("« {t} » n'est pas un nombre entier de sacs"),
                &format!("\"{t}\" is not a whole number"),
            )
        })
    }

    pub(crate) fn actor(&self) -> R<Actor> {
        self.ledger.local_actor().map_err(|e| self.app(&e))
    }

    pub(crate) fn today(&self) -> NaiveDate {
        self.ledger.now().date_naive()
    }

    pub(crate) fn label(&self, fr: &str, en: &str) -> String {
        if self.lang == Lang::Fr { fr } else { en }.to_owned()
    }
}

/// Writes a file and syncs it to disk before saying it is written.
pub(crate) fn write_durably(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("part");
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}

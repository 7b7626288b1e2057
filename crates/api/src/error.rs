//! Errors across the IPC boundary: a stable code the UI may match on, and a message for people.

use sene_app::{AppError, StoreError};
use sene_domain::{DomainError, Lang};
use sene_hub::HubError;
use sene_store::backup::BackupError;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What went wrong, for the UI to decide what to show or offer (never match on messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A value the user typed: not a number, negative, fractional francs, out of range…
    InvalidValue,
    /// A rule of the season refused it (above the advance due, contract not approved…).
    RuleRefused,
    /// The store file cannot be read (not a Sene store, damaged).
    StoreUnreadable,
    /// The store was written by a newer Sene.
    StoreTooNew,
    /// Another store problem (disk full, locked).
    StoreError,
    /// The store is empty: create the union, load the demo or enroll.
    NotInitialized,
    /// The store already holds a union.
    AlreadyInitialized,
    /// An id that names nothing.
    NotFound,
    /// The role does not allow it.
    Forbidden,
    /// A record id reused with other content.
    IdConflict,
    /// The member number is taken in the cooperative.
    DuplicateMemberNumber,
    /// A code or name already taken.
    Taken,
    /// The member looks like one already registered: confirm to save anyway.
    ProbableDuplicate,
    /// A member of another cooperative.
    OtherCooperative,
    /// Records that do not belong together.
    Mismatch,
    /// Already reversed.
    AlreadyReversed,
    /// More than what is available.
    AboveAvailable,
    /// The hub refused a document, or the sync payload.
    SyncRefused,
    /// A file or message whose authenticity check failed.
    SyncUnauthentic,
    /// Another sync problem.
    SyncError,
    /// The hub cannot be reached, or the link dropped: nothing is lost, try again.
    Network,
    /// The hub refused the token or the pairing code.
    Unauthorized,
    /// A file that cannot be read or written.
    File,
    /// An unexpected failure on this side.
    Internal,
    /// Nobody is signed in (the store is locked): sign in first.
    Locked,
    /// The passphrase does not open this device's key.
    WrongPassphrase,
    /// The store file is not this device's (another laptop's, or a plain copy).
    ForeignFile,
    /// Maker-checker: a second person must do it (sign in as a committee or secretariat
    /// member other than the one who made the record).
    SecondPersonRequired,
}

/// An error as the UI receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ApiError {
    pub code: ErrorCode,
    /// For people, in the session's language: what was wrong and what to do.
    pub message: String,
    /// The field concerned, when one is (its label as the message names it).
    pub field: Option<String>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    /// An error with a code and a message.
    #[must_use]
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            field: None,
        }
    }

    /// A value error on a field, with the message in both languages.
    #[must_use]
    pub fn invalid(lang: Lang, field: &str, fr: &str, en: &str) -> Self {
        ApiError {
            code: ErrorCode::InvalidValue,
            message: format!("{field} : {}", if lang == Lang::Fr { fr } else { en }),
            field: Some(field.to_owned()),
        }
    }

    /// Maps a use case's error.
    #[must_use]
    pub fn from_app(e: &AppError, lang: Lang) -> Self {
        let code = match e {
            AppError::Domain(d) => {
                if is_value_error(d) {
                    ErrorCode::InvalidValue
                } else {
                    ErrorCode::RuleRefused
                }
            }
            AppError::NotInitialized => ErrorCode::NotInitialized,
            AppError::AlreadyInitialized(_) => ErrorCode::AlreadyInitialized,
            AppError::NotFound { .. } => ErrorCode::NotFound,
            AppError::Forbidden { .. } => ErrorCode::Forbidden,
            AppError::SecondPersonRequired { .. } => ErrorCode::SecondPersonRequired,
            AppError::IdConflict { .. } => ErrorCode::IdConflict,
            AppError::DuplicateMemberNumber { .. } => ErrorCode::DuplicateMemberNumber,
            AppError::Taken { .. } => ErrorCode::Taken,
            AppError::ProbableDuplicate { .. } => ErrorCode::ProbableDuplicate,
            AppError::OtherCooperative { .. } => ErrorCode::OtherCooperative,
            AppError::Mismatch(_) => ErrorCode::Mismatch,
            AppError::AlreadyReversed { .. } => ErrorCode::AlreadyReversed,
            AppError::AboveAvailable { .. } => ErrorCode::AboveAvailable,
            AppError::Store(se) => return Self::from_store(se, lang),
            other => match other.code() {
                "store_unreadable" => ErrorCode::StoreUnreadable,
                "store_too_new" => ErrorCode::StoreTooNew,
                "sync_refused" => ErrorCode::SyncRefused,
                "sync_unauthentic" => ErrorCode::SyncUnauthentic,
                "sync_error" => ErrorCode::SyncError,
                _ => ErrorCode::StoreError,
            },
        };
        let field = match e {
            AppError::Domain(d) => domain_field(d).map(str::to_owned),
            _ => None,
        };
        ApiError {
            code,
            message: e.message(lang),
            field,
        }
    }

    /// Maps a store error (the lock, the key, the file).
    #[must_use]
    pub fn from_store(e: &StoreError, lang: Lang) -> Self {
        let code = match e {
            StoreError::NotADatabase { .. } | StoreError::Corrupt(_) => ErrorCode::StoreUnreadable,
            StoreError::TooNew { .. } => ErrorCode::StoreTooNew,
            StoreError::Encrypted { .. } => ErrorCode::Locked,
            StoreError::WrongPassphrase => ErrorCode::WrongPassphrase,
            StoreError::ForeignFile { .. } => ErrorCode::ForeignFile,
            StoreError::WeakPassphrase(_) => {
                return ApiError {
                    code: ErrorCode::InvalidValue,
                    message: e.message(lang),
                    field: Some("passphrase".into()),
                }
            }
            StoreError::BadRecoveryKey | StoreError::WrongRecoveryKey { .. } => {
                return ApiError {
                    code: ErrorCode::InvalidValue,
                    message: e.message(lang),
                    field: Some("recovery_key".into()),
                }
            }
            // the disk or the file: the message says what to do, nothing was written
            StoreError::DiskFull
            | StoreError::ReadOnly { .. }
            | StoreError::Busy
            | StoreError::DiskIo { .. }
            | StoreError::CannotOpen { .. } => ErrorCode::StoreError,
            _ => ErrorCode::StoreError,
        };
        ApiError::new(code, e.message(lang))
    }

    /// Maps a backup error (making or checking a copy of the store).
    #[must_use]
    pub fn from_backup(e: &BackupError, lang: Lang) -> Self {
        let code = match e {
            BackupError::Store(se) => return Self::from_store(se, lang),
            BackupError::InMemory => ErrorCode::Internal,
            // the store itself (served by a hub, or changing under the copy): try again later
            other => match other.code() {
                "store_in_use" | "backup_unsettled" => ErrorCode::StoreError,
                // the folder, the copy or its manifest: the message names the file
                _ => ErrorCode::File,
            },
        };
        ApiError::new(code, e.message(lang))
    }

    /// Maps a hub client error.
    #[must_use]
    pub fn from_hub(e: &HubError, lang: Lang) -> Self {
        let code = match e {
            HubError::App(a) => return Self::from_app(a, lang),
            HubError::Unauthorized(_) => ErrorCode::Unauthorized,
            HubError::Network(_) | HubError::Busy => ErrorCode::Network,
            HubError::Remote(_)
            | HubError::UnknownDictionary
            | HubError::Quarantined { .. }
            | HubError::TooLarge { .. }
            | HubError::NotSecretariat
            | HubError::NoBackup => ErrorCode::SyncRefused,
            // not the network: trying again cannot help, the message says what must change
            HubError::Certificate { .. } => ErrorCode::SyncError,
            // the store's lock, held by another hub
            HubError::AlreadyServed { .. } => ErrorCode::StoreError,
            HubError::Server(_) => ErrorCode::Internal,
        };
        ApiError::new(code, e.message(lang))
    }
}

/// True for errors about a typed value (as opposed to a rule of the season).
fn is_value_error(d: &DomainError) -> bool {
    matches!(
        d,
        DomainError::NotANumber { .. }
            | DomainError::FractionalFranc { .. }
            | DomainError::OutOfRange { .. }
            | DomainError::EmptyText { .. }
            | DomainError::TextTooLong { .. }
            | DomainError::ControlCharacter { .. }
            | DomainError::InvalidCode { .. }
            | DomainError::TooPrecise { .. }
            | DomainError::Overflow
            | DomainError::InvalidPhone { .. }
            | DomainError::InvalidNina { .. }
    )
}

fn domain_field(d: &DomainError) -> Option<&'static str> {
    match d {
        DomainError::OutOfRange { field, .. }
        | DomainError::EmptyText { field }
        | DomainError::TextTooLong { field, .. }
        | DomainError::ControlCharacter { field }
        | DomainError::InvalidCode { field, .. }
        | DomainError::DateOutsideWindow { field, .. } => Some(field),
        DomainError::InvalidPhone { .. } => Some("téléphone"),
        DomainError::InvalidNina { .. } => Some("NINA"),
        _ => None,
    }
}

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
    /// The scale could not be read, or its weight cannot be taken (not stable, overload,
    /// negative, silent, another protocol): the message says what to check.
    Scale,
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
            message: if lang == Lang::Fr {
                format!("{field} : {fr}")
            } else {
                format!("{}: {en}", sene_domain::label_en(field))
            },
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
            AppError::Mismatch(_) | AppError::Resolution { .. } => ErrorCode::Mismatch,
            // a change of the registry refused (nothing to correct, a member gone, a date
            // before her registration, a transfer with open contracts)
            AppError::Registry { .. } | AppError::NothingToCorrect { .. } => ErrorCode::RuleRefused,
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
            | HubError::NoBackup
            // a device put back to an older copy of itself: nothing merged, the message says
            // how it takes a new identity
            | HubError::Rewound { .. } => ErrorCode::SyncRefused,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Labels that read the same in English (or are codes, not words for people).
    const SAME_IN_ENGLISH: &[&str] = &[
        "agent",
        "code",
        "conflict",
        "date",
        "delivery",
        "device_id",
        "disbursement",
        "distribution",
        "lot",
        "note",
        "NINA",
        "payment",
        "principal",
        "region",
        "reversal",
        "sync_conflict",
        "table",
        "union",
        "village",
        " INTL",
        "excel",
        "fr",
        // request fields named by their key
        "choice",
        "dir",
        "format",
        "listen",
        "minutes",
        "path",
        // the scale's hold time (sene_scale::ScaleError::InvalidSetting)
        "stable_ms",
        // what a scan read (`ScanView::kind`): codes for the window, not words
        "member",
        "refused",
        "ticket",
    ];

    /// Every label a message names, as written in the sources of the crates whose errors
    /// reach the window: `what:`/`kind:`/`field:` of an error, the first argument of a
    /// `validate::` rule, an id or field parsed by the api (`id`, `missing`, `parse_field`'s
    /// label, `ApiError::invalid`'s field).
    fn labels(src: &str) -> Vec<String> {
        fn literal(rest: &str) -> Option<String> {
            let rest = rest.trim_start();
            let rest = rest.strip_prefix('"')?;
            rest.find('"').map(|end| rest[..end].to_owned())
        }
        let mut out = Vec::new();
        for needle in [
            "what: ",
            "kind: ",
            "field: ",
            "self.id(",
            "missing(",
            "self.office_date(",
        ] {
            for (i, _) in src.match_indices(needle) {
                out.extend(literal(&src[i + needle.len()..]));
            }
        }
        for (i, _) in src.match_indices("validate::") {
            let rest = &src[i + "validate::".len()..];
            let name_end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(0);
            if let Some(args) = rest[name_end..].strip_prefix('(') {
                out.extend(literal(args));
            }
        }
        for needle in ["parse_field(", "ApiError::invalid("] {
            for (i, _) in src.match_indices(needle) {
                // the label is the second argument
                let rest = &src[i + needle.len()..];
                if let Some(comma) = rest.find(',') {
                    out.extend(literal(&rest[comma + 1..]));
                }
            }
        }
        out
    }

    fn sources(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        for e in std::fs::read_dir(dir).expect("a source folder").flatten() {
            let p = e.path();
            if p.is_dir() {
                sources(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).expect("a source file");
                // the code, not its tests (this one names labels of its own)
                let code = text.split("#[cfg(test)]").next().unwrap_or_default();
                out.push((p.display().to_string(), code.to_owned()));
            }
        }
    }

    #[test]
    fn every_label_named_in_an_error_has_its_english() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        for krate in ["domain", "app", "api"] {
            sources(&root.join(krate).join("src"), &mut files);
        }
        let mut missing = std::collections::BTreeSet::new();
        let mut seen = 0;
        for (path, text) in &files {
            for label in labels(text) {
                seen += 1;
                if label.is_empty()
                    || label.contains('{')
                    || SAME_IN_ENGLISH.contains(&label.as_str())
                {
                    continue;
                }
                if sene_domain::label_en(&label) == label {
                    missing.insert(format!("« {label} » ({path})"));
                }
            }
        }
        assert!(seen > 100, "the labels were found: {seen}");
        assert!(
            missing.is_empty(),
            "labels that would stay French in the English window (add them to sene_domain::label_en):\n{}",
            missing.into_iter().collect::<Vec<_>>().join("\n")
        );
    }

    #[test]
    fn a_refusal_above_the_limit_is_said_in_english() {
        let e = AppError::AboveAvailable {
            what: "complément de prix au kg (surplus des lots net des frais, réparti sur les kg comptés)",
            requested: "46 FCFA".into(),
            available: "45 FCFA".into(),
        };
        let en = ApiError::from_app(&e, Lang::En).message;
        assert!(en.starts_with("price complement per kg"), "{en}");
        assert!(!en.contains("complément"), "{en}");
        let fr = ApiError::from_app(&e, Lang::Fr).message;
        assert!(fr.contains("disponibles"), "{fr}");
        let v = ApiError::invalid(Lang::En, "prix au kg", "trop élevé", "too high");
        assert_eq!(v.message, "price per kg: too high");
    }
}

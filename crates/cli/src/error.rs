//! The command's errors: the use cases' [`AppError`] plus what only the command line can get
//! wrong (an argument it cannot read, a name that matches nothing or several records, a file
//! it cannot read). Each has a stable code and a message in French and English.

use sene_app::AppError;
use sene_domain::{DomainError, Lang};

use crate::import_report::ImportReport;

/// Everything `sene` can refuse.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A use case (or the store) refused.
    #[error(transparent)]
    App(#[from] AppError),
    /// A value given for an option that the domain refuses (`--amount 1500.5`).
    #[error("{flag} : {err}")]
    Value { flag: String, err: DomainError },
    /// Any other argument, lookup or file problem, with its code and both messages.
    #[error("{fr}")]
    Msg {
        code: &'static str,
        fr: String,
        en: String,
    },
    /// An import with invalid rows and no `--skip-invalid`: nothing was imported.
    #[error("import annulé")]
    ImportRejected(Box<ImportReport>),
}

/// Shorthand.
pub type CliResult<T> = Result<T, CliError>;

impl From<DomainError> for CliError {
    fn from(e: DomainError) -> Self {
        CliError::App(AppError::Domain(e))
    }
}

impl From<sene_app::StoreError> for CliError {
    fn from(e: sene_app::StoreError) -> Self {
        CliError::App(AppError::Store(e))
    }
}

impl CliError {
    /// An error with a code and a message in both languages.
    pub fn msg(code: &'static str, fr: impl Into<String>, en: impl Into<String>) -> Self {
        CliError::Msg {
            code,
            fr: fr.into(),
            en: en.into(),
        }
    }

    /// A record named on the command line that does not exist.
    pub fn not_found(kind: &'static str, key: impl Into<String>) -> Self {
        CliError::App(AppError::NotFound {
            kind,
            id: key.into(),
        })
    }

    /// A value refused by the domain, for an option.
    pub fn value(flag: &str, err: DomainError) -> Self {
        CliError::Value {
            flag: flag.to_owned(),
            err,
        }
    }

    /// The stable code for scripts.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            CliError::App(e) => e.code(),
            CliError::Value { .. } => "invalid_value",
            CliError::Msg { code, .. } => code,
            CliError::ImportRejected(_) => "import_rejected",
        }
    }

    /// The message in the given language.
    #[must_use]
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (CliError::App(e), _) => e.message(lang),
            (CliError::Value { flag, err }, Lang::Fr) => format!("{flag} : {}", err.message(lang)),
            (CliError::Value { flag, err }, Lang::En) => format!("{flag}: {}", err.message(lang)),
            (CliError::Msg { fr, .. }, Lang::Fr) => fr.clone(),
            (CliError::Msg { en, .. }, Lang::En) => en.clone(),
            (CliError::ImportRejected(r), Lang::Fr) => format!(
                "import annulé : {} ligne(s) invalide(s) sur {}, rien n'a été importé. Corrigez le fichier, ou relancez avec --skip-invalid pour importer les lignes valides",
                r.rejected.len(),
                r.rows
            ),
            (CliError::ImportRejected(r), Lang::En) => format!(
                "import cancelled: {} invalid row(s) out of {}, nothing was imported. Fix the file, or run again with --skip-invalid to import the valid rows",
                r.rejected.len(),
                r.rows
            ),
        }
    }
}

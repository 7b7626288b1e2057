//! The store's errors.

use std::path::Path;

use sene_domain::Lang;

/// What can go wrong with the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The file is not a Sene store, or is damaged.
    #[error("le fichier {path} n'est pas une base Sene lisible ou il est endommagé ({reason}) ; il n'a pas été modifié. Restaurez une copie de sauvegarde ou choisissez un autre fichier")]
    NotADatabase { path: String, reason: String },
    /// The file was written by a newer version of Sene.
    #[error("cette base a été écrite par une version plus récente de Sene (schéma {found}, cette version connaît {supported}) : mettez Sene à jour")]
    TooNew { found: i64, supported: i64 },
    /// A migration already applied to this file differs from the one in this program.
    #[error("la migration {version} appliquée à cette base diffère de celle de ce programme : base ou programme altéré")]
    MigrationChanged { version: i64 },
    /// The file behaves unlike a sound SQLite database.
    #[error("base endommagée : {0}")]
    Corrupt(String),
    /// A file-system error.
    #[error("fichier {path} : {reason}")]
    Io { path: String, reason: String },
    /// A stored value that cannot be read back.
    #[error("valeur illisible dans {table}.{column} : « {value} »")]
    Decode {
        table: &'static str,
        column: &'static str,
        value: String,
    },
    /// An update or delete of a money record was attempted.
    #[error("les enregistrements d'argent ne se modifient ni ne s'effacent : passez par une annulation (contre-passation)")]
    Immutable,
    /// Another error from SQLite.
    #[error("erreur SQLite : {0}")]
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(_, Some(msg)) = &e {
            if msg.contains("immutable") {
                return StoreError::Immutable;
            }
        }
        if let rusqlite::Error::SqliteFailure(f, _) = &e {
            if matches!(
                f.code,
                rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt
            ) {
                return StoreError::NotADatabase {
                    path: String::new(),
                    reason: e.to_string(),
                };
            }
        }
        StoreError::Sqlite(e)
    }
}

impl StoreError {
    pub(crate) fn from_open(path: &Path, e: rusqlite::Error) -> Self {
        StoreError::from(e).at(path)
    }

    /// Names the file in a damaged-file error.
    #[must_use]
    pub fn at(self, path: &Path) -> Self {
        match self {
            StoreError::NotADatabase { reason, .. } => StoreError::NotADatabase {
                path: path.display().to_string(),
                reason,
            },
            StoreError::Corrupt(reason) => StoreError::NotADatabase {
                path: path.display().to_string(),
                reason,
            },
            other => other,
        }
    }

    /// The message in the given language.
    #[must_use]
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Fr => self.to_string(),
            Lang::En => match self {
                StoreError::NotADatabase { path, reason } => format!("the file {path} is not a readable Sene store or is damaged ({reason}); it was not modified. Restore a backup or choose another file"),
                StoreError::TooNew { found, supported } => format!("this store was written by a newer Sene (schema {found}, this version knows {supported}): update Sene"),
                StoreError::MigrationChanged { version } => format!("migration {version} applied to this store differs from this program's: store or program altered"),
                StoreError::Corrupt(r) => format!("damaged store: {r}"),
                StoreError::Io { path, reason } => format!("file {path}: {reason}"),
                StoreError::Decode { table, column, value } => format!("unreadable value in {table}.{column}: \"{value}\""),
                StoreError::Immutable => "money records are never changed nor deleted: record a reversal".into(),
                StoreError::Sqlite(e) => format!("SQLite error: {e}"),
            },
        }
    }
}

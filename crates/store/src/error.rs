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
    /// The store is encrypted and was opened without its key.
    #[error("la base {path} est chiffrée : connectez-vous avec votre phrase secrète (ou la clé de secours)")]
    Encrypted { path: String },
    /// The passphrase does not open this device's key.
    #[error("phrase secrète incorrecte : rien n'a été ouvert ni modifié")]
    WrongPassphrase,
    /// A passphrase too easy to guess, refused when it is set.
    #[error("phrase secrète trop faible : {0}")]
    WeakPassphrase(String),
    /// A recovery key that does not read back (length, letter or check group).
    #[error("clé de secours illisible : vérifiez les 14 groupes de 4 caractères")]
    BadRecoveryKey,
    /// The store file does not belong to this device's key.
    #[error("le fichier {path} ne correspond pas à la clé de cet appareil ({reason}) ; il n'a pas été modifié")]
    ForeignFile { path: String, reason: String },
    /// The key file or the key machinery.
    #[error("clé de l'appareil : {0}")]
    Vault(String),
    /// A group of writes begun while one is open (a programming error of the caller).
    #[error("un groupe d'écritures est déjà ouvert")]
    GroupOpen,
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
                StoreError::Encrypted { path } => format!("the store {path} is encrypted: sign in with your passphrase (or the recovery key)"),
                StoreError::WrongPassphrase => "wrong passphrase: nothing was opened nor changed".into(),
                StoreError::WeakPassphrase(r) => format!("passphrase too weak: {r}"),
                StoreError::BadRecoveryKey => "unreadable recovery key: check the 14 groups of 4 characters".into(),
                StoreError::ForeignFile { path, reason } => format!("the file {path} does not match this device's key ({reason}); it was not modified"),
                StoreError::Vault(r) => format!("device key: {r}"),
                StoreError::GroupOpen => "a group of writes is already open".into(),
                StoreError::Sqlite(e) => format!("SQLite error: {e}"),
            },
        }
    }
}

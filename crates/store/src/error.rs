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
    /// The disk is full (SQLite's `SQLITE_FULL`, or the system's "no space left on device").
    /// SQLite undid the transaction that could not be written: what was saved before stays.
    #[error("le disque est plein : libérez de la place puis recommencez ; rien de ce qui était enregistré n'est perdu")]
    DiskFull,
    /// The store cannot be written: the file, its folder or the disk is read-only, or the
    /// program has no right to write there (`SQLITE_READONLY`, `SQLITE_PERM`).
    #[error("{} ne peut pas être modifiée : le fichier, son dossier ou le disque est en lecture seule, ou vous n'avez pas le droit d'y écrire ; rien n'a été enregistré. Vérifiez les droits du fichier et de son dossier (ou le verrou de la clé USB), ou copiez la base dans un dossier où l'on peut écrire", the_store_fr(.path))]
    ReadOnly { path: String },
    /// Another connection held the store's write lock longer than the wait allowed
    /// (`SQLITE_BUSY`, `SQLITE_LOCKED`).
    #[error("la base est occupée par un autre programme (une autre commande sene, une synchronisation, le serveur du bureau ou la fenêtre de Sene) et l'est restée trop longtemps : rien n'a été enregistré ; réessayez dans un moment, et fermez l'autre programme s'il reste bloqué")]
    Busy,
    /// The disk failed a read or a write (`SQLITE_IOERR`, with SQLite's extended code).
    #[error("erreur de lecture ou d'écriture sur le disque (code SQLite {code}) : l'opération en cours n'a pas été enregistrée. Vérifiez le disque (ou la clé USB) et la place libre, puis recommencez ; si l'erreur revient, copiez la base et son fichier -wal sur un autre disque")]
    DiskIo { code: i32 },
    /// The store's file cannot be opened at all (`SQLITE_CANTOPEN`): a folder, a missing
    /// folder, no right to open it.
    #[error("impossible d'ouvrir {} : vérifiez que ce chemin désigne bien un fichier (pas un dossier), que son dossier existe et que vous avez le droit d'y lire et d'y écrire", the_store_fr(.path))]
    CannotOpen { path: String },
    /// A well-formed recovery key that does not open this store (another store's key).
    #[error("cette clé de secours n'ouvre pas {} : vérifiez que c'est bien celle de cette base (chaque base chiffrée a la sienne) ; rien n'a été modifié", the_store_fr(.path))]
    WrongRecoveryKey { path: String },
    /// A group of writes begun while one is open (a programming error of the caller).
    #[error("un groupe d'écritures est déjà ouvert")]
    GroupOpen,
    /// Another error from SQLite.
    #[error("erreur SQLite : {0}")]
    Sqlite(rusqlite::Error),
}

/// "la base" or "la base <path>", as the messages name the store.
fn the_store_fr(path: &str) -> String {
    if path.is_empty() {
        "la base".into()
    } else {
        format!("la base {path}")
    }
}

fn the_store_en(path: &str) -> String {
    if path.is_empty() {
        "the store".into()
    } else {
        format!("the store {path}")
    }
}

/// The reasons [`crate::check_passphrase`] gives, in English.
fn weak_reason_en(reason: &str) -> &str {
    match reason {
        "au moins 8 caractères" => "at least 8 characters",
        "au moins 5 caractères différents" => "at least 5 different characters",
        "trop courante : choisissez une phrase à vous" => {
            "too common: choose a phrase of your own"
        }
        r if r.starts_with("un code fait de chiffres") => {
            "a code made only of digits must have at least 12 (a short PIN is guessed in minutes)"
        }
        r => r,
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode as C;
        if let rusqlite::Error::SqliteFailure(_, Some(msg)) = &e {
            if msg.contains("immutable") {
                return StoreError::Immutable;
            }
        }
        if let rusqlite::Error::SqliteFailure(f, _) = &e {
            match f.code {
                C::NotADatabase | C::DatabaseCorrupt => {
                    return StoreError::NotADatabase {
                        path: String::new(),
                        reason: e.to_string(),
                    }
                }
                C::DiskFull => return StoreError::DiskFull,
                C::ReadOnly | C::PermissionDenied => {
                    return StoreError::ReadOnly {
                        path: String::new(),
                    }
                }
                C::DatabaseBusy | C::DatabaseLocked => return StoreError::Busy,
                C::SystemIoFailure => {
                    return StoreError::DiskIo {
                        code: f.extended_code,
                    }
                }
                C::CannotOpen => {
                    return StoreError::CannotOpen {
                        path: String::new(),
                    }
                }
                _ => {}
            }
        }
        StoreError::Sqlite(e)
    }
}

impl StoreError {
    pub(crate) fn from_open(path: &Path, e: rusqlite::Error) -> Self {
        StoreError::from(e).at(path)
    }

    /// A file-system error on `path`: a full disk and a file or folder that cannot be
    /// written are named as such ([`StoreError::DiskFull`], [`StoreError::ReadOnly`]), any
    /// other is [`StoreError::Io`].
    #[must_use]
    pub fn io(path: &Path, e: &std::io::Error) -> Self {
        use std::io::ErrorKind as K;
        match e.kind() {
            K::StorageFull | K::QuotaExceeded => StoreError::DiskFull,
            K::ReadOnlyFilesystem | K::PermissionDenied => StoreError::ReadOnly {
                path: path.display().to_string(),
            },
            _ => StoreError::Io {
                path: path.display().to_string(),
                reason: e.to_string(),
            },
        }
    }

    /// Names the file in an error about the file (damaged, read-only, cannot be opened).
    #[must_use]
    pub fn at(self, path: &Path) -> Self {
        match self {
            StoreError::ReadOnly { path: p } if p.is_empty() => StoreError::ReadOnly {
                path: path.display().to_string(),
            },
            StoreError::CannotOpen { path: p } if p.is_empty() => StoreError::CannotOpen {
                path: path.display().to_string(),
            },
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
                StoreError::WeakPassphrase(r) => format!("passphrase too weak: {}", weak_reason_en(r)),
                StoreError::BadRecoveryKey => "unreadable recovery key: check the 14 groups of 4 characters".into(),
                StoreError::ForeignFile { path, reason } => format!("the file {path} does not match this device's key ({reason}); it was not modified"),
                StoreError::Vault(r) => format!("device key: {r}"),
                StoreError::DiskFull => "the disk is full: free some space and try again; nothing that was saved is lost".into(),
                StoreError::ReadOnly { path } => format!("{} cannot be changed: the file, its folder or the disk is read-only, or you have no right to write there; nothing was saved. Check the rights of the file and its folder (or the USB stick's lock), or copy the store to a folder where one can write", the_store_en(path)),
                StoreError::Busy => "the store is busy with another program (another sene command, a sync, the office server or the Sene window) and stayed so too long: nothing was saved; try again in a moment, and close the other program if it stays stuck".into(),
                StoreError::DiskIo { code } => format!("the disk failed to read or write (SQLite code {code}): the operation under way was not saved. Check the disk (or the USB stick) and its free space, then try again; if the error comes back, copy the store and its -wal file to another disk"),
                StoreError::CannotOpen { path } => format!("cannot open {}: check that this path names a file (not a folder), that its folder exists and that you may read and write there", the_store_en(path)),
                StoreError::WrongRecoveryKey { path } => format!("this recovery key does not open {}: check that it is this store's (each encrypted store has its own); nothing was changed", the_store_en(path)),
                StoreError::GroupOpen => "a group of writes is already open".into(),
                StoreError::Sqlite(e) => format!("SQLite error: {e}"),
            },
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::Store;

    /// Both messages of an error, for the assertions.
    fn both(e: &StoreError) -> (String, String) {
        (e.message(Lang::Fr), e.message(Lang::En))
    }

    fn store_with_a_setting(path: &Path) -> Store {
        let mut store = Store::open(path).unwrap();
        store.write(|db| db.set_setting("avant", "gardé")).unwrap();
        store
    }

    fn setting(path: &Path, key: &str) -> Option<String> {
        Store::open(path).unwrap().db().setting(key).unwrap()
    }

    /// A write that needs more room than the file may take: SQLite answers SQLITE_FULL, the
    /// person reads "the disk is full", and what was saved before is still there.
    #[test]
    fn a_full_disk_says_so_and_keeps_what_was_saved() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite");
        let mut store = store_with_a_setting(&path);
        let pages: i64 = store
            .conn
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .unwrap();
        // The file may not grow: as a disk with no free block left.
        let _: i64 = store
            .conn
            .query_row(&format!("PRAGMA max_page_count = {pages}"), [], |r| {
                r.get(0)
            })
            .unwrap();
        let big = "x".repeat(1 << 20);
        let e = store.write(|db| db.set_setting("gros", &big)).unwrap_err();
        assert!(matches!(e, StoreError::DiskFull), "{e:?}");
        let (fr, en) = both(&e);
        assert_eq!(fr, "le disque est plein : libérez de la place puis recommencez ; rien de ce qui était enregistré n'est perdu");
        assert!(en.starts_with("the disk is full: free some space"), "{en}");
        drop(store);
        assert_eq!(setting(&path, "avant").as_deref(), Some("gardé"));
        assert_eq!(setting(&path, "gros"), None);
    }

    /// A store that may not be written (a connection SQLite keeps read-only, as it does for a
    /// file or folder without the right to write) refuses the write with a message that says
    /// why; as a user who is not root, the same for a file whose write bit is removed.
    #[test]
    fn a_store_that_cannot_be_written_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite");
        let mut store = store_with_a_setting(&path);
        store.conn.execute_batch("PRAGMA query_only = ON").unwrap();
        let e = store.write(|db| db.set_setting("k", "v")).unwrap_err();
        assert!(matches!(e, StoreError::ReadOnly { .. }), "{e:?}");
        let (fr, en) = both(&e);
        assert!(fr.starts_with("la base ne peut pas être modifiée : le fichier, son dossier ou le disque est en lecture seule"), "{fr}");
        assert!(
            en.starts_with(
                "the store cannot be changed: the file, its folder or the disk is read-only"
            ),
            "{en}"
        );
        drop(store);

        // A connection opened read-only by SQLite itself, and the file named by `at`.
        let ro = rusqlite::Connection::open_with_flags(
            &path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap();
        let e = StoreError::from(
            ro.execute("INSERT INTO settings(key, value) VALUES ('k', 'v')", [])
                .unwrap_err(),
        )
        .at(&path);
        assert!(
            e.to_string()
                .starts_with(&format!("la base {} ne peut pas", path.display())),
            "{e}"
        );
        drop(ro);

        // The write bit removed: root writes anyway, anyone else is refused.
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
        if std::fs::OpenOptions::new().write(true).open(&path).is_err() {
            let e = Store::open(&path)
                .and_then(|mut s| s.write(|db| db.set_setting("k", "v")))
                .unwrap_err();
            assert!(matches!(e, StoreError::ReadOnly { .. }), "{e:?}");
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    }

    /// Another program holding the write lock past the wait: "busy", nothing written.
    #[test]
    fn a_store_held_by_another_program_says_busy() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite");
        let mut store = store_with_a_setting(&path);
        let other = rusqlite::Connection::open(&path).unwrap();
        other.execute_batch("BEGIN IMMEDIATE").unwrap();
        store.conn.busy_timeout(Duration::from_millis(50)).unwrap();
        let e = store.write(|db| db.set_setting("k", "v")).unwrap_err();
        assert!(matches!(e, StoreError::Busy), "{e:?}");
        let (fr, en) = both(&e);
        assert!(
            fr.starts_with("la base est occupée par un autre programme"),
            "{fr}"
        );
        assert!(
            en.starts_with("the store is busy with another program"),
            "{en}"
        );
        other.execute_batch("ROLLBACK").unwrap();
        drop(other);
        store.write(|db| db.set_setting("k", "v")).unwrap();
    }

    /// A path that names a folder cannot be opened as a store: said so, with the path.
    #[test]
    fn a_folder_given_as_the_store_cannot_be_opened() {
        let dir = tempfile::tempdir().unwrap();
        let e = Store::open(dir.path()).unwrap_err();
        assert!(matches!(e, StoreError::CannotOpen { .. }), "{e:?}");
        let (fr, en) = both(&e);
        let shown = dir.path().display().to_string();
        assert!(
            fr.starts_with(&format!("impossible d'ouvrir la base {shown} : vérifiez")),
            "{fr}"
        );
        assert!(
            en.starts_with(&format!("cannot open the store {shown}: check")),
            "{en}"
        );
    }

    /// Set by [`a_failing_disk_write_is_an_io_error`] for the child process it starts.
    const IOERR_CHILD: &str = "SENE_TEST_IOERR_STORE";

    /// The write the child process makes past its file size limit (a no-op in a normal run).
    #[test]
    fn child_writes_past_the_file_size_limit() {
        let Ok(path) = std::env::var(IOERR_CHILD) else {
            return;
        };
        let mut store = Store::open(Path::new(&path)).unwrap();
        let big = "x".repeat(4 << 20);
        let e = store.write(|db| db.set_setting("gros", &big)).unwrap_err();
        assert!(matches!(e, StoreError::DiskIo { .. }), "{e:?}");
        let (fr, en) = both(&e);
        assert!(fr.starts_with("erreur de lecture ou d'écriture sur le disque (code SQLite"));
        assert!(en.starts_with("the disk failed to read or write (SQLite code"));
        println!("DISK_IO_SEEN");
    }

    /// A write the system refuses (here: past the process's file size limit, `ulimit -f`,
    /// which makes `write` fail with EFBIG) is SQLite's SQLITE_IOERR: a disk error, said so.
    #[test]
    fn a_failing_disk_write_is_an_io_error() {
        if std::env::var_os(IOERR_CHILD).is_some() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite");
        drop(store_with_a_setting(&path));
        let exe = std::env::current_exe().unwrap();
        // SIGXFSZ ignored, so that the write fails instead of the process being killed.
        let out = std::process::Command::new("/bin/sh")
            .arg("-c")
            .arg("trap '' XFSZ; ulimit -f 2048; exec \"$0\" \"$@\"")
            .arg(exe)
            .args([
                "--exact",
                "error::tests::child_writes_past_the_file_size_limit",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(IOERR_CHILD, &path)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.status.success() && text.contains("DISK_IO_SEEN"),
            "{text}"
        );
        assert_eq!(setting(&path, "avant").as_deref(), Some("gardé"));
    }

    /// The system's own errors are named the same way.
    #[test]
    fn file_system_errors_are_classified() {
        let p = Path::new("/x/s.sqlite.keys");
        let full = std::io::Error::from(std::io::ErrorKind::StorageFull);
        assert!(matches!(StoreError::io(p, &full), StoreError::DiskFull));
        let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        assert!(matches!(
            StoreError::io(p, &denied),
            StoreError::ReadOnly { path } if path == "/x/s.sqlite.keys"
        ));
        let other = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert!(matches!(StoreError::io(p, &other), StoreError::Io { .. }));
    }

    #[test]
    fn weak_passphrase_reasons_are_given_in_english() {
        for p in ["1234", "12345678901", "aaaaaaaaaa", "motdepasse"] {
            let e = crate::check_passphrase(p).unwrap_err();
            let (fr, en) = both(&e);
            assert!(fr.starts_with("phrase secrète trop faible : "), "{fr}");
            assert!(en.starts_with("passphrase too weak: "), "{en}");
            assert!(
                en.is_ascii(),
                "a French reason left in the English message: {en}"
            );
        }
    }
}

//! [`FederationError`]: every refusal of the federation hub, said in French and English, with
//! a stable code (kept in `union_pulls.error_code` for a failed pull).

use sene_app::AppError;
use sene_domain::Lang;
use sene_hub::HubError;

/// The federation's errors.
#[derive(Debug, thiserror::Error)]
pub enum FederationError {
    /// The federation's PostgreSQL database (unreachable, refused a statement).
    #[error("base PostgreSQL de la fédération : {0}")]
    Postgres(#[from] tokio_postgres::Error),
    /// A union's hub, its answer, or a USB file (network, bad token, malformed answer).
    #[error(transparent)]
    Hub(#[from] HubError),
    /// A union's replica (the local store the federation keeps per union).
    #[error(transparent)]
    App(#[from] AppError),
    /// No union of that name in the list.
    #[error("union « {0} » inconnue de la fédération : sene federation add-union NOM --url URL …")]
    UnknownUnion(String),
    /// A union of that name is already in the list.
    #[error("la fédération suit déjà une union nommée « {0} »")]
    UnionExists(String),
    /// The database was written by a newer federation binary.
    #[error("la base de la fédération est au schéma {found}, plus récent que ce programme (schéma {known}) : mettez sene à jour")]
    SchemaTooNew { found: i32, known: i32 },
    /// The credentials of a union now lead to another union than the one first pulled.
    #[error("le bureau de « {name} » a répondu avec les données d'une autre union ({found}, attendue {expected}) : rien n'est projeté ; vérifiez l'adresse et le jeton")]
    WrongUnion {
        name: String,
        expected: String,
        found: String,
    },
    /// A union added without a hub address is pulled only from USB files.
    #[error("l'union « {0} » n'a pas d'adresse de bureau : importez ses fichiers (sene federation import FICHIER --union NOM)")]
    NoLink(String),
    /// Another pull of the same union is running (the scheduler, or a command).
    #[error("une autre collecte de l'union « {0} » est en cours : réessayez quand elle aura fini")]
    Busy(String),
    /// A file or folder of the federation's data.
    #[error("fichier {path} : {detail}")]
    Io { path: String, detail: String },
    /// The temporary PostgreSQL cluster of the tests.
    #[error("serveur PostgreSQL temporaire : {0}")]
    Cluster(String),
    /// A value that cannot be projected (a store row the federation does not understand).
    #[error("ligne illisible dans la table {table} de la copie locale : {detail}")]
    BadRow { table: &'static str, detail: String },
    /// A background task stopped (a pull panicked).
    #[error("tâche interrompue : {0}")]
    Task(String),
}

impl FederationError {
    /// The message in `lang`.
    #[must_use]
    pub fn message(&self, lang: Lang) -> String {
        let fr = lang == Lang::Fr;
        match self {
            FederationError::Hub(e) => e.message(lang),
            FederationError::App(e) => e.message(lang),
            _ if fr => self.to_string(),
            FederationError::Postgres(e) => format!("the federation's PostgreSQL database: {e}"),
            FederationError::UnknownUnion(n) => format!("union \"{n}\" unknown to the federation: sene federation add-union NAME --url URL …"),
            FederationError::UnionExists(n) => format!("the federation already follows a union named \"{n}\""),
            FederationError::SchemaTooNew { found, known } => format!("the federation's database is at schema {found}, newer than this program (schema {known}): upgrade sene"),
            FederationError::WrongUnion { name, expected, found } => format!("the office of \"{name}\" answered with another union's data ({found}, expected {expected}): nothing is projected; check the address and the token"),
            FederationError::NoLink(n) => format!("union \"{n}\" has no office address: import its files (sene federation import FILE --union NAME)"),
            FederationError::Busy(n) => format!("another pull of union \"{n}\" is running: try again when it is done"),
            FederationError::Io { path, detail } => format!("file {path}: {detail}"),
            FederationError::Cluster(d) => format!("temporary PostgreSQL server: {d}"),
            FederationError::BadRow { table, detail } => format!("unreadable row in table {table} of the local copy: {detail}"),
            FederationError::Task(d) => format!("task stopped: {d}"),
        }
    }

    /// A stable code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            FederationError::Postgres(_) => "postgres",
            FederationError::Hub(e) => e.code(),
            FederationError::App(e) => e.code(),
            FederationError::UnknownUnion(_) => "unknown_union",
            FederationError::UnionExists(_) => "union_exists",
            FederationError::SchemaTooNew { .. } => "schema_too_new",
            FederationError::WrongUnion { .. } => "wrong_union",
            FederationError::NoLink(_) => "no_link",
            FederationError::Busy(_) => "busy",
            FederationError::Io { .. } => "io",
            FederationError::Cluster(_) => "cluster",
            FederationError::BadRow { .. } => "bad_row",
            FederationError::Task(_) => "task",
        }
    }
}

impl From<sene_store::StoreError> for FederationError {
    fn from(e: sene_store::StoreError) -> Self {
        FederationError::App(e.into())
    }
}

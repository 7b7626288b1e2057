//! [`HubError`], its messages in French and English and its stable codes, and the JSON error
//! body ([`ErrorBody`]) of every refused request, with its HTTP status.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use sene_app::AppError;
use sene_domain::Lang;
use sene_sync::SyncError;
use serde::{Deserialize, Serialize};

/// The hub's errors.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    /// A use case or the store.
    #[error(transparent)]
    App(#[from] AppError),
    /// No valid token or code.
    #[error("accès refusé : {0}")]
    Unauthorized(&'static str),
    /// The network (client side).
    #[error("connexion au bureau de l'union impossible ou interrompue ({0}) : rien n'est perdu, relancez la synchronisation")]
    Network(String),
    /// The hub answered with an error.
    #[error("le bureau de l'union a refusé : {0}")]
    Remote(String),
    /// Server start-up.
    #[error("serveur : {0}")]
    Server(String),
    /// The request was compressed with a dictionary the hub does not hold (the reply of the
    /// exchange it comes from was lost): the client sends it again without.
    #[error("dictionnaire de compression inconnu : renvoyez sans")]
    UnknownDictionary,
    /// A revoked device's authentic file, kept for the secretariat to review, not merged.
    #[error("fichier d'un appareil révoqué mis en quarantaine (n° {id}) : rien n'est fusionné, le secrétariat l'examinera dans la file des anomalies")]
    Quarantined { id: i64 },
    /// Another hub already serves this store: it holds the lock beside it
    /// ([`lock_path`](crate::lock_path)).
    #[error("{}", self.message(Lang::Fr))]
    AlreadyServed {
        /// The process that holds the lock, as it wrote it in the lock file.
        pid: Option<u32>,
        /// The lock file.
        lock: String,
    },
    /// Too many requests at once: the hub answers 503 rather than hold them all.
    #[error("le bureau de l'union est occupé : rien n'est perdu, relancez la synchronisation dans un instant")]
    Busy,
    /// A request larger than [`MAX_BODY`](crate::MAX_BODY), refused before its body is read.
    #[error("requête trop grande (plus de {max} octets) : refusée sans être lue")]
    TooLarge { max: usize },
    /// A standby request from a device whose agent is not of the secretariat.
    #[error("seul un appareil du secrétariat peut garder la copie de secours du bureau")]
    NotSecretariat,
    /// The hub has no backup to offer its standby (none made yet, or no backup folder).
    #[error("le bureau n'a aucune sauvegarde à confier à la machine de secours : lancez-le avec ses sauvegardes (sene hub serve, sans --no-backup)")]
    NoBackup,
    /// A device put back from an older copy of itself that has not taken a new identity yet:
    /// the hub holds its history up to head `known`, further than the device's. Nothing is
    /// merged; the client takes a new identity and receipt series, after `generation` (the
    /// newest the hub accepted from this device), and syncs again.
    #[error("cet appareil a été remis à une copie plus ancienne de lui-même (le bureau a reçu son historique jusqu'au n° {known}) : rien n'a été fusionné. Synchronisez-le avec le bureau, ou importez-y d'abord le fichier du bureau : il prendra une nouvelle identité et une nouvelle série de reçus, puis son fichier sera accepté")]
    Rewound { known: i64, generation: u32 },
    /// The hub's TLS certificate can never be accepted by this device (client side): trying
    /// again cannot help, something must change first.
    #[error("{}", self.message(Lang::Fr))]
    Certificate {
        problem: CertificateProblem,
        /// The hub's address.
        url: String,
        /// What the TLS library said.
        detail: String,
    },
}

/// Why a hub's certificate can never be accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateProblem {
    /// Signed by no authority this device trusts: no union CA given, another one, or a
    /// certificate signed by itself.
    UnknownIssuer,
    /// Made for another name or address than the one this device connects to.
    WrongName,
    /// Expired.
    Expired,
    /// Not valid yet (often this computer's date is wrong).
    NotYetValid,
    /// Anything else the device refuses in a certificate (signature, purpose, revoked…).
    Refused,
}

impl From<sene_store::StoreError> for HubError {
    fn from(e: sene_store::StoreError) -> Self {
        HubError::App(e.into())
    }
}

impl From<SyncError> for HubError {
    fn from(e: SyncError) -> Self {
        HubError::App(e.into())
    }
}

impl HubError {
    /// The message in the given language (French is also the `Display`).
    #[must_use]
    pub fn message(&self, lang: Lang) -> String {
        let fr = lang == Lang::Fr;
        match self {
            HubError::App(e) => e.message(lang),
            HubError::AlreadyServed { pid, lock } => match (fr, pid) {
                (true, Some(p)) => format!("le bureau sert déjà cette base (processus {p}) : arrêtez-le d'abord (verrou {lock})"),
                (true, None) => format!("le bureau sert déjà cette base : arrêtez-le d'abord (verrou {lock})"),
                (false, Some(p)) => format!("a hub already serves this store (process {p}): stop it first (lock {lock})"),
                (false, None) => format!("a hub already serves this store: stop it first (lock {lock})"),
            },
            HubError::Certificate {
                problem,
                url,
                detail,
            } => certificate_message(*problem, url, detail, lang),
            _ if fr => self.to_string(),
            HubError::Unauthorized(why) => format!("access refused: {why}"),
            HubError::Network(why) => format!("cannot reach the union office, or the link dropped ({why}): nothing is lost, sync again"),
            HubError::Remote(why) => format!("the union office refused: {why}"),
            HubError::Server(why) => format!("server: {why}"),
            HubError::UnknownDictionary => "unknown compression dictionary: send again without".into(),
            HubError::Quarantined { id } => format!("file of a revoked device kept in quarantine (no. {id}): nothing is merged, the secretariat will review it in the anomaly queue"),
            HubError::Busy => "the union office is busy: nothing is lost, sync again in a moment".into(),
            HubError::TooLarge { max } => format!("request too large (over {max} bytes): refused unread"),
            HubError::NotSecretariat => "only a device of the secretariat may keep the office's standby copy".into(),
            HubError::Rewound { known, .. } => format!("this device was put back to an older copy of itself (the office received its history up to no. {known}): nothing was merged. Sync it with the office, or first import the office's file on it: it takes a new identity and receipt series, then its file is accepted"),
            HubError::NoBackup => "the union office has no backup to give its standby machine: start it with its backups (sene hub serve, without --no-backup)".into(),
        }
    }

    /// A stable code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            HubError::App(e) => e.code(),
            HubError::Unauthorized(_) => "unauthorized",
            HubError::Network(_) => "network",
            HubError::Remote(_) => "remote",
            HubError::Server(_) => "server",
            HubError::UnknownDictionary => DICTIONARY_CODE,
            HubError::Quarantined { .. } => "quarantined",
            HubError::AlreadyServed { .. } => "already_served",
            HubError::Busy => "busy",
            HubError::TooLarge { .. } => "too_large",
            HubError::Certificate { .. } => "certificate",
            HubError::NotSecretariat => "not_secretariat",
            HubError::NoBackup => "no_backup",
            HubError::Rewound { .. } => REWOUND_CODE,
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            HubError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            HubError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            HubError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            // on the hub's side: a request body that could not be read whole
            HubError::Network(_) => StatusCode::BAD_REQUEST,
            HubError::Quarantined { .. } | HubError::NotSecretariat => StatusCode::FORBIDDEN,
            HubError::NoBackup => StatusCode::NOT_FOUND,
            HubError::UnknownDictionary | HubError::Rewound { .. } => StatusCode::CONFLICT,
            HubError::App(AppError::Sync(SyncError::Malformed(_) | SyncError::Automerge(_))) => {
                StatusCode::BAD_REQUEST
            }
            HubError::App(AppError::NotFound { .. }) => StatusCode::NOT_FOUND,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

fn certificate_message(problem: CertificateProblem, url: &str, detail: &str, lang: Lang) -> String {
    match (problem, lang) {
        (CertificateProblem::UnknownIssuer, Lang::Fr) => format!("le certificat du bureau {url} n'est signé par aucune autorité que cet appareil reconnaît : il ne sera jamais accepté, relancer n'y changera rien. Enrôlez l'appareil avec le certificat de l'autorité de l'union, tel que le bureau l'a imprimé (sene enroll … --ca autorite-union.pem), et vérifiez que cette adresse est bien celle du bureau de votre union ({detail})"),
        (CertificateProblem::UnknownIssuer, Lang::En) => format!("the certificate of the hub {url} is signed by no authority this device trusts: it will never be accepted, trying again will not help. Enroll the device with the union's CA certificate, as printed by the office (sene enroll … --ca union-ca.pem), and check that this address is your union office's ({detail})"),
        (CertificateProblem::WrongName, Lang::Fr) => format!("le certificat du bureau n'est pas fait pour l'adresse {url} : il n'y sera jamais accepté, relancer n'y changera rien. Utilisez l'adresse écrite dans le certificat, telle que le bureau l'a imprimée (sene sync --hub …), ou demandez au bureau un certificat pour cette adresse ({detail})"),
        (CertificateProblem::WrongName, Lang::En) => format!("the hub's certificate is not made for the address {url}: it will never be accepted there, trying again will not help. Use the address written in the certificate, as printed by the office (sene sync --hub …), or ask the office for a certificate for this address ({detail})"),
        (CertificateProblem::Expired, Lang::Fr) => format!("le certificat du bureau {url} a expiré : vérifiez la date et l'heure de cet ordinateur ; si elles sont justes, le bureau doit renouveler son certificat, relancer n'y changera rien ({detail})"),
        (CertificateProblem::Expired, Lang::En) => format!("the certificate of the hub {url} has expired: check this computer's date and time; if they are right, the office must renew its certificate, trying again will not help ({detail})"),
        (CertificateProblem::NotYetValid, Lang::Fr) => format!("le certificat du bureau {url} n'est pas encore valable : vérifiez la date et l'heure de cet ordinateur ; si elles sont justes, le bureau doit refaire son certificat ({detail})"),
        (CertificateProblem::NotYetValid, Lang::En) => format!("the certificate of the hub {url} is not valid yet: check this computer's date and time; if they are right, the office must make its certificate again ({detail})"),
        (CertificateProblem::Refused, Lang::Fr) => format!("le certificat du bureau {url} est refusé ({detail}) : il ne sera jamais accepté, relancer n'y changera rien. Le bureau doit installer un certificat valable, signé par l'autorité de l'union"),
        (CertificateProblem::Refused, Lang::En) => format!("the certificate of the hub {url} is refused ({detail}): it will never be accepted, trying again will not help. The office must install a valid certificate, signed by the union's authority"),
    }
}

/// The error body of every refused request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// Code and message.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    /// For [`HubError::Rewound`]: the newest audit head the hub holds of the device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known: Option<i64>,
    /// For [`HubError::Rewound`]: the newest sync generation the hub accepted from the device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation: Option<u32>,
}

impl IntoResponse for HubError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %self, "request failed");
        } else {
            tracing::warn!(error = %self, "request refused");
        }
        (
            status,
            Json(ErrorBody {
                error: ErrorDetail {
                    code: self.code().into(),
                    message: self.to_string(),
                    known: match self {
                        HubError::Rewound { known, .. } => Some(known),
                        _ => None,
                    },
                    generation: match self {
                        HubError::Rewound { generation, .. } => Some(generation),
                        _ => None,
                    },
                },
            }),
        )
            .into_response()
    }
}

/// The error code of [`HubError::UnknownDictionary`].
pub const DICTIONARY_CODE: &str = "dictionary";

/// The error code of [`HubError::Rewound`].
pub const REWOUND_CODE: &str = "rewound";

pub(crate) fn poisoned() -> HubError {
    HubError::Server("verrou empoisonné".into())
}

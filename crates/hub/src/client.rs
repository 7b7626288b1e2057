//! The device side: enroll with a code, then sync over HTTP(S) with progress.

use std::time::Duration;

use sene_app::sync::{Refusal, Scope, SyncReport};
use sene_app::{Actor, Ledger};
use sene_sync::wire::Reads;
use serde::{Deserialize, Serialize};

use crate::{CertificateProblem, EnrollRequest, Enrolled, ErrorBody, HubError, Reply};

/// Local settings keys of an enrolled device.
pub mod keys {
    pub const HUB_URL: &str = "hub_url";
    pub const HUB_TOKEN: &str = "hub_token";
    pub const BUNDLE_KEY: &str = "bundle_key";
    pub const LAST_SYNC: &str = "last_sync_at";
    /// PEM certificate of the union's own certificate authority (a self-signed hub), if any.
    pub const HUB_CA: &str = "hub_ca_pem";
    /// The compression dictionary of the next exchange with the hub (hex).
    pub const HUB_DICT: &str = "hub_dict";
    /// The last head of this device's audit chain the hub acknowledged (a sequence number).
    pub const AUDIT_ACKED: &str = "audit_acked_seq";
    /// The newest sync generation the hub had accepted from this device when this store
    /// enrolled as it (a reinstalled laptop): a new identity it takes comes after it.
    pub const ENROLLED_GENERATION: &str = "enrolled_generation";
}

/// Most round trips in one sync.
pub const MAX_ROUNDS: usize = 8;

/// A step of a sync, for a progress display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Progress {
    /// Sending `docs` documents' messages, `bytes` bytes, in round `round`.
    Sending {
        round: usize,
        docs: usize,
        bytes: usize,
    },
    /// The hub's answer read (`bytes` bytes), not yet applied: on a slow link the wait is
    /// over, what follows is this laptop's own work.
    Answered { round: usize, bytes: usize },
    /// Received and applied.
    Received {
        round: usize,
        docs: usize,
        bytes: usize,
        records: usize,
    },
    /// Done.
    Done,
}

impl Progress {
    /// Steps a sync can take at most: three a round (sent, answer read, applied), the last
    /// one being [`Progress::Done`].
    pub const STEPS: usize = MAX_ROUNDS * 3;

    /// This step's place among [`Progress::STEPS`], for a progress bar.
    #[must_use]
    pub fn step(&self) -> usize {
        match self {
            Progress::Sending { round, .. } => round * 3 - 2,
            Progress::Answered { round, .. } => round * 3 - 1,
            Progress::Received { round, .. } => round * 3,
            Progress::Done => Progress::STEPS,
        }
    }
}

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientReport {
    /// Round trips that carried something.
    pub rounds: usize,
    pub bytes_sent: usize,
    pub bytes_received: usize,
    /// What the hub merged of ours.
    pub pushed: SyncReport,
    /// What we merged of the hub's.
    pub pulled: SyncReport,
    /// Documents the hub refused, with its reasons.
    pub refused_by_hub: Vec<Refusal>,
}

pub(crate) fn agent(ca_pem: Option<&str>) -> Result<ureq::Agent, HubError> {
    // no `user-agent` nor `accept` header: the hub reads neither, and every byte of a
    // request's headers crosses the slow link (37 B of a day's push)
    let mut config = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(300)))
        .http_status_as_error(false)
        .user_agent(ureq::config::AutoHeaderValue::None)
        .accept(ureq::config::AutoHeaderValue::None);
    if let Some(pem) = ca_pem {
        let cert = ureq::tls::Certificate::from_pem(pem.as_bytes())
            .map_err(|e| HubError::Network(format!("certificat du bureau illisible : {e}")))?;
        let tls = ureq::tls::TlsConfig::builder()
            .root_certs(ureq::tls::RootCerts::Specific(std::sync::Arc::new(vec![
                cert,
            ])))
            .build();
        config = config.tls_config(tls);
    }
    Ok(config.build().into())
}

/// What a failed request means: a certificate the device can never accept
/// ([`HubError::Certificate`], found in the error's chain of sources: rustls's verdict travels
/// inside an I/O error), or the network ([`HubError::Network`]: nothing lost, try again).
pub(crate) fn transport_error(e: &ureq::Error, url: &str) -> HubError {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = next {
        if let Some(rustls::Error::InvalidCertificate(c)) = err.downcast_ref::<rustls::Error>() {
            return HubError::Certificate {
                problem: certificate_problem(c),
                url: url.to_owned(),
                detail: c.to_string(),
            };
        }
        next = match (
            err.downcast_ref::<ureq::Error>(),
            err.downcast_ref::<std::io::Error>(),
        ) {
            (Some(ureq::Error::Rustls(r)), _) => Some(r),
            (Some(ureq::Error::Io(io)), _) => Some(io),
            // an I/O error's own `source` skips the error it wraps
            (_, Some(io)) => io.get_ref().map(|inner| inner as _),
            _ => err.source(),
        };
    }
    HubError::Network(e.to_string())
}

fn certificate_problem(c: &rustls::CertificateError) -> CertificateProblem {
    use rustls::CertificateError as C;
    match c {
        C::UnknownIssuer => CertificateProblem::UnknownIssuer,
        C::NotValidForName | C::NotValidForNameContext { .. } => CertificateProblem::WrongName,
        C::Expired | C::ExpiredContext { .. } => CertificateProblem::Expired,
        C::NotValidYet | C::NotValidYetContext { .. } => CertificateProblem::NotYetValid,
        _ => CertificateProblem::Refused,
    }
}

/// Above this many bytes, a request asks the hub first (`Expect: 100-continue`) and sends its
/// body only once the hub has checked the token: a refused device hears why (revoked…)
/// instead of a link cut mid-body. One more round trip, worth it only for a large body.
pub const EXPECT_CONTINUE_ABOVE: usize = 256 * 1024;

fn url(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

/// What a laptop says when the office's hub is older than it (0.1.0, which reads deflate
/// only): its every request is refused, nothing is merged either way.
pub const OLDER_HUB: &str = "le serveur du bureau a une version plus ancienne que cet ordinateur et ne lit pas ses échanges : mettez d'abord à jour le serveur du bureau, puis synchronisez (rien n'a été échangé)";

/// Whether the hub refused a request as 0.1.0 refuses the magics it does not know (a request
/// says that this side reads zstd: `SENE` `0x03` to `0x06`).
#[must_use]
pub fn is_older_hub(status: u16, body: &[u8]) -> bool {
    status == 400
        && serde_json::from_slice::<ErrorBody>(body)
            .is_ok_and(|e| e.error.message.contains("ce n'est pas un échange Sene"))
}

pub(crate) fn remote_error(status: u16, body: &[u8]) -> HubError {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(e) if status == 409 && e.error.code == crate::REWOUND_CODE => HubError::Rewound {
            known: e.error.known.unwrap_or_default(),
            generation: e.error.generation.unwrap_or_default(),
        },
        Ok(e) if status == 401 => {
            HubError::Remote(format!("{} ({})", e.error.message, e.error.code))
        }
        Ok(e) => HubError::Remote(e.error.message),
        Err(_) => HubError::Remote(format!("statut HTTP {status}")),
    }
}

/// Trades a pairing code for credentials, prepares this (empty) store as the device, and keeps
/// the credentials in its settings.
///
/// # Errors
/// [`HubError::Network`], [`HubError::Certificate`], [`HubError::Remote`] (wrong code), store
/// errors.
pub fn enroll(
    ledger: &mut Ledger,
    hub_url: &str,
    device: sene_domain::DeviceId,
    code: &str,
) -> Result<Enrolled, HubError> {
    let ca = match std::env::var_os("SENE_HUB_CA") {
        Some(path) => Some(std::fs::read_to_string(&path).map_err(|e| {
            HubError::Network(format!("SENE_HUB_CA {} : {e}", path.to_string_lossy()))
        })?),
        None => None,
    };
    enroll_with(ledger, hub_url, device, code, ca.as_deref())
}

/// [`enroll`], trusting the given PEM certificate authority for an HTTPS hub (a union's own,
/// self-signed certificate); it is kept for the following syncs.
///
/// # Errors
/// As [`enroll`].
pub fn enroll_with(
    ledger: &mut Ledger,
    hub_url: &str,
    device: sene_domain::DeviceId,
    code: &str,
    ca_pem: Option<&str>,
) -> Result<Enrolled, HubError> {
    let body = serde_json::to_vec(&EnrollRequest {
        device_id: device,
        code: code.trim().to_owned(),
    })
    .map_err(|e| HubError::Server(e.to_string()))?;
    let mut resp = agent(ca_pem)?
        .post(url(hub_url, "/v1/enroll"))
        .header("content-type", "application/json")
        .send(&body[..])
        .map_err(|e| transport_error(&e, hub_url))?;
    let status = resp.status().as_u16();
    let bytes = resp
        .body_mut()
        .read_to_vec()
        .map_err(|e| HubError::Network(e.to_string()))?;
    if status != 200 {
        return Err(remote_error(status, &bytes));
    }
    let enrolled: Enrolled = serde_json::from_slice(&bytes)
        .map_err(|e| HubError::Remote(format!("réponse illisible : {e}")))?;
    ledger.join(&Actor {
        agent: enrolled.agent_id,
        device: enrolled.device_id,
    })?;
    ledger.set_setting(keys::HUB_URL, hub_url)?;
    ledger.set_setting(keys::HUB_TOKEN, &enrolled.token)?;
    if let Some(pem) = ca_pem {
        ledger.set_setting(keys::HUB_CA, pem)?;
    }
    ledger.set_setting(keys::BUNDLE_KEY, &enrolled.bundle_key)?;
    if enrolled.generation > 0 {
        ledger.set_setting(keys::ENROLLED_GENERATION, &enrolled.generation.to_string())?;
    }
    Ok(enrolled)
}

/// The hub this device is enrolled with: its address, this device's token and the union's
/// certificate authority (a self-signed hub), from the store's settings.
///
/// # Errors
/// [`HubError::Unauthorized`] when the device is not enrolled; store errors.
pub(crate) fn credentials(ledger: &Ledger) -> Result<(String, String, Option<String>), HubError> {
    let not_enrolled = HubError::Unauthorized(
        "cet appareil n'est pas enrôlé : sene enroll --hub URL --pairing-code CODE",
    );
    let base = ledger.setting(keys::HUB_URL)?;
    let token = ledger.setting(keys::HUB_TOKEN)?;
    match (base, token) {
        (Some(b), Some(t)) => Ok((b, t, ledger.setting(keys::HUB_CA)?)),
        _ => Err(not_enrolled),
    }
}

/// Syncs this device with its hub: each round sends every document's message and applies the
/// answer, until neither side has anything to say. A dropped link leaves every store as it was
/// after its last applied round; the next run completes.
///
/// # Errors
/// [`HubError::Network`], [`HubError::Certificate`], [`HubError::Remote`] (e.g. revoked), sync
/// errors.
pub fn sync(
    ledger: &mut Ledger,
    hub_url: Option<&str>,
    progress: &mut dyn FnMut(&Progress),
) -> Result<ClientReport, HubError> {
    match sync_once(ledger, hub_url, progress) {
        // this store was put back from an older copy of itself (its file copied back rather
        // than restored with `sene restore`): the hub merged nothing. It takes a new identity
        // and receipt series now, before it writes anything, and syncs again (getting back
        // from the hub what it had lost)
        Err(HubError::Rewound { known, generation }) => {
            ledger.mark_rewound(known, generation)?;
            sync_once(ledger, hub_url, progress)
        }
        other => other,
    }
}

/// The envelope items of the first request: the audit proof (see `crate::audit`), and the
/// sync generation of a store put back from a copy of itself.
pub(crate) fn proof_items(
    ledger: &Ledger,
    proof: &crate::audit::Proof,
) -> Result<Vec<(String, Vec<u8>)>, HubError> {
    let mut items = vec![(crate::audit::AUDIT_ITEM.to_owned(), proof.encode())];
    let generation = ledger.sync_generation()?;
    if generation > 0 {
        items.push((
            crate::audit::RESTORED_ITEM.to_owned(),
            crate::audit::encode_generation(generation),
        ));
    }
    Ok(items)
}

fn sync_once(
    ledger: &mut Ledger,
    hub_url: Option<&str>,
    progress: &mut dyn FnMut(&Progress),
) -> Result<ClientReport, HubError> {
    let (stored, token, ca) = credentials(ledger)?;
    let base = hub_url.map_or(stored, str::to_owned);
    // 64 random bits tell one client session from the next; every byte of the request's
    // headers crosses the slow link
    let session = uuid::Uuid::new_v4().simple().to_string()[..16].to_owned();
    ledger.sync_reset("hub")?;
    let http = agent(ca.as_deref())?;
    let mut report = ClientReport::default();
    let mut finished = false;
    // whether the last reply brought nothing to merge: then, if this side has nothing more to
    // say either, the exchange is over without a confirming request (one round trip for a
    // day's push: on a 600 ms link that request cost as much as the push)
    let mut quiet_reply = false;
    // the first request proves this device's audit history to the hub (see `crate::audit`)
    let acked: i64 = ledger
        .setting(keys::AUDIT_ACKED)?
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let proof = crate::audit::proof(ledger, acked)?;
    let first_items = proof_items(ledger, &proof)?;
    for round in 1..=MAX_ROUNDS {
        let mut up = ledger.sync_outgoing("hub", &Scope::Everything)?;
        if quiet_reply && up.items.is_empty() {
            finished = true;
            break;
        }
        // the hub's answer brought its news and this side has nothing to say but "I hold your
        // heads" for each document it changed: the two agree, and the next session's first
        // request says so (each of its messages names this side's heads). So no confirming
        // request: a push is one round trip even when the office has news for the laptop. The
        // hub counts what it sent as sent, not yet confirmed, until then; a USB file it makes
        // for this laptop still carries it, and a lost answer is sent again at the next sync
        if round > 1
            && report.refused_by_hub.is_empty()
            && !up.items.is_empty()
            && up.items.iter().all(|(_, m)| sene_sync::engine::is_ack(m))
        {
            finished = true;
            break;
        }
        let docs_sent = up.items.len();
        if round == 1 {
            up.items.extend(first_items.iter().cloned());
        }
        // automerge's own compression out, once: what is encoded and what the next
        // dictionary is made of are the same bytes
        up.expand();
        // compressed against the last exchange both sides hold, when there was one
        let mut dict = ledger
            .setting(keys::HUB_DICT)?
            .and_then(|h| crate::from_hex(&h));
        // in a format that also says this side reads zstd: the hub then may answer in it
        let mut body = up.encode_for(dict.as_deref(), Reads::Zstd)?;
        progress(&Progress::Sending {
            round,
            docs: docs_sent,
            bytes: body.len(),
        });
        let (status, bytes) = loop {
            let mut request = http
                .post(url(&base, "/v1/sync"))
                .header("authorization", &format!("Bearer {token}"))
                .header("x-sene-session", &session);
            if body.len() > EXPECT_CONTINUE_ABOVE {
                request = request.header("expect", "100-continue");
            }
            let mut resp = request
                .send(&body[..])
                .map_err(|e| transport_error(&e, &base))?;
            let status = resp.status().as_u16();
            let bytes = resp
                .body_mut()
                .with_config()
                .limit(crate::MAX_BODY as u64 * 4)
                .read_to_vec()
                .map_err(|e| HubError::Network(e.to_string()))?;
            let unknown_dict = status == 409
                && serde_json::from_slice::<ErrorBody>(&bytes)
                    .is_ok_and(|e| e.error.code == crate::DICTIONARY_CODE);
            if unknown_dict && dict.is_some() {
                // the hub lost track of the last exchange: say it again without
                dict = None;
                ledger.set_setting(keys::HUB_DICT, "")?;
                body = up.encode_for(None, Reads::Zstd)?;
                continue;
            }
            break (status, bytes);
        };
        if status != 200 {
            if is_older_hub(status, &bytes) {
                return Err(HubError::Remote(OLDER_HUB.into()));
            }
            return Err(remote_error(status, &bytes));
        }
        progress(&Progress::Answered {
            round,
            bytes: bytes.len(),
        });
        let reply = Reply::decode_with(&bytes, dict.as_deref())?;
        let next = sene_sync::wire::next_dict(dict.as_deref(), &up.raw()?, &reply.raw()?);
        ledger.set_setting(keys::HUB_DICT, &crate::to_hex(&next))?;
        let pulled = ledger.sync_incoming("hub", &reply.envelope, &Scope::Everything)?;
        progress(&Progress::Received {
            round,
            docs: reply.envelope.items.len(),
            bytes: bytes.len(),
            records: pulled.records,
        });
        let done = docs_sent == 0 && reply.envelope.items.is_empty();
        if round == 1 {
            // the hub holds this head now (a refused proof is an error, not a reply)
            ledger.set_setting(keys::AUDIT_ACKED, &proof.seq.to_string())?;
        }
        quiet_reply = pulled.docs_changed == 0 && pulled.refused.is_empty();
        if !done {
            report.rounds += 1;
            report.bytes_sent += body.len();
            report.bytes_received += bytes.len();
        }
        add(&mut report.pushed, &reply.report);
        add(&mut report.pulled, &pulled);
        report
            .refused_by_hub
            .extend(reply.report.refused.iter().cloned());
        // a document the hub refuses keeps coming back unchanged: once a round moves nothing
        // else, the exchange is over and the refusals are the answer. The refusal may have come
        // in an earlier round that also brought the hub's news: the refused change is not sent
        // twice in a session, so the two sides would then only trade heads until the last round
        let stuck_on_refusals =
            !report.refused_by_hub.is_empty() && reply.report.records == 0 && pulled.records == 0;
        if done || stuck_on_refusals {
            finished = true;
            break;
        }
    }
    if !finished {
        // what was merged is kept; the next run, a new session, goes on from there
        return Err(HubError::Network(format!(
            "la synchronisation n'a pas abouti en {MAX_ROUNDS} allers-retours"
        )));
    }
    let at = ledger
        .now()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    ledger.set_setting(keys::LAST_SYNC, &at)?;
    progress(&Progress::Done);
    Ok(report)
}

fn add(total: &mut SyncReport, r: &SyncReport) {
    total.docs_received += r.docs_received;
    total.docs_changed += r.docs_changed;
    total.records += r.records;
    total.conflicts += r.conflicts;
    total.refused.extend(r.refused.iter().cloned());
}

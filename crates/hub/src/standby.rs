//! The office's standby: a second machine (the accountant's laptop, enrolled as a device of the
//! secretariat) that keeps the newest of the hub's scheduled backups, so the office's own
//! records — settlement runs, anomaly resolutions, stock counts, cash returns, enrollments —
//! do not depend on one disk. Promoting it is a restore of the newest copy it holds
//! (`sene restore`), which takes a new sync identity like any restore.
//!
//! - `GET /v1/standby` (a secretariat device's token): the newest backup's manifest, or 404.
//! - `GET /v1/standby/file/{name}`: that file (or its key file, `<name>.keys`), streamed.
//! - `POST /v1/standby/kept` (JSON [`Kept`]): the standby says which copy it holds, checked;
//!   the office's dashboard warns when that copy is older than the recovery point objective.
//!
//! The standby pulls only when the newest backup is not one it holds already; the hub backs up
//! only when its store changed (see [`crate::schedule`]).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Json;
use sene_app::sync::Scope;
use sene_app::Ledger;
use sene_domain::Role;
use sene_store::backup::{self, BackupManifest};
use sene_store::Vault;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::client;
use crate::server::bearer;
use crate::{Hub, HubError};

/// What the hub offers its standby: the newest backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    pub manifest: BackupManifest,
}

/// How long the office may go without hearing from its standby before it warns: the recovery
/// point objective of the office's own records.
pub const MAX_SILENCE_MINUTES: i64 = 60;

/// The file, in the backup folder, where the hub keeps what its standby last said it holds.
/// Outside the store: a write to the store would make the next scheduled backup (the store
/// changed) and the standby would fetch it, around and around.
pub const STATUS_FILE: &str = "machine-de-secours.json";

/// The copy of the office store a standby machine holds, as it last told the hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandbyCopy {
    /// The standby device.
    pub device: String,
    /// When it said so (RFC 3339, the hub's clock).
    pub kept_at: String,
    /// When the copy it holds was made.
    pub made_at: String,
    /// The copy's file name.
    pub file: String,
    /// Its SHA-256.
    pub sha256: String,
}

/// What the office knows of its standby.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// What the standby last said it holds, if it ever did.
    pub copy: Option<StandbyCopy>,
    /// Whether that copy is the newest backup of the folder.
    pub current: bool,
    /// Whether the office should warn: no standby, or none heard from within
    /// [`MAX_SILENCE_MINUTES`], or its copy is not the newest and the newest is older than that.
    pub overdue: bool,
}

/// What the office knows of its standby, from the backup folder `dir`, at `now`.
#[must_use]
pub fn status(dir: &Path, now: chrono::DateTime<chrono::Utc>) -> Status {
    let copy: Option<StandbyCopy> = std::fs::read(dir.join(STATUS_FILE))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    let newest = backup::list(dir).ok().and_then(|mut l| l.pop());
    let age = |t: &str| {
        chrono::DateTime::parse_from_rfc3339(t)
            .map(|t| now - t.with_timezone(&chrono::Utc))
            .ok()
    };
    let limit = chrono::Duration::minutes(MAX_SILENCE_MINUTES);
    let current = match (&copy, &newest) {
        (Some(c), Some((_, m))) => c.sha256 == m.sha256,
        _ => false,
    };
    let overdue = match &copy {
        None => true,
        Some(c) => {
            let silent = age(&c.kept_at).is_none_or(|a| a > limit);
            let behind = !current
                && newest
                    .as_ref()
                    .and_then(|(_, m)| age(&m.made_at))
                    .is_some_and(|a| a > limit);
            silent || behind
        }
    };
    Status {
        copy,
        current,
        overdue,
    }
}

/// Keeps `copy` as the standby's word (a temporary file renamed over the last one).
fn record(dir: &Path, copy: &StandbyCopy) -> Result<(), HubError> {
    let path = dir.join(STATUS_FILE);
    let tmp = dir.join(format!("{STATUS_FILE}.tmp"));
    let json = serde_json::to_vec_pretty(copy).map_err(|e| HubError::Server(e.to_string()))?;
    std::fs::write(&tmp, json)
        .and_then(|()| std::fs::rename(&tmp, &path))
        .map_err(|e| HubError::Server(format!("{} : {e}", path.display())))
}

/// What the standby holds, as it tells the hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kept {
    pub file: String,
    pub sha256: String,
}

/// The device behind a token, refused unless its agent is of the secretariat: the standby
/// holds every member's record and every payment of the union.
fn standby_device(hub: &Hub, token: &str) -> Result<String, HubError> {
    let check = |l: &Ledger| -> Result<String, HubError> {
        let (d, scope) = crate::enroll::authenticate(l, token)?;
        match scope {
            Scope::Device {
                role: Role::Secretariat,
                ..
            } => Ok(d.device_id),
            _ => Err(HubError::NotSecretariat),
        }
    };
    match &hub.reader {
        Some(r) => check(&*r.lock().map_err(|_| crate::error::poisoned())?),
        None => hub.with_ledger(|l| check(l)),
    }
}

fn backup_dir(hub: &Hub) -> Result<&Path, HubError> {
    hub.backups
        .get()
        .map(PathBuf::as_path)
        .ok_or(HubError::NoBackup)
}

/// The newest backup in `dir`.
fn newest(dir: &Path) -> Result<(PathBuf, BackupManifest), HubError> {
    backup::list(dir)
        .map_err(|e| HubError::Server(e.to_string()))?
        .pop()
        .ok_or(HubError::NoBackup)
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, HubError> + Send + 'static,
) -> Result<T, HubError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| HubError::Server(e.to_string()))?
}

/// `GET /v1/standby`.
pub(crate) async fn offer_handler(
    State(hub): State<Arc<Hub>>,
    headers: HeaderMap,
) -> Result<Json<Offer>, HubError> {
    let token = bearer(&headers)?;
    blocking(move || {
        standby_device(&hub, &token)?;
        let (_, manifest) = newest(backup_dir(&hub)?)?;
        Ok(Json(Offer { manifest }))
    })
    .await
}

/// A file read on a blocking thread, in chunks, as a response body.
struct Chunks(tokio::sync::mpsc::Receiver<std::io::Result<axum::body::Bytes>>);

impl futures_core::Stream for Chunks {
    type Item = std::io::Result<axum::body::Bytes>;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}

/// `GET /v1/standby/file/{name}`: a backup of the folder (or its key file) by its name, and
/// nothing else.
pub(crate) async fn file_handler(
    State(hub): State<Arc<Hub>>,
    axum::extract::Path(name): axum::extract::Path<String>,
    headers: HeaderMap,
) -> Result<Response, HubError> {
    let token = bearer(&headers)?;
    let (file, len) = blocking(move || {
        standby_device(&hub, &token)?;
        let dir = backup_dir(&hub)?;
        let known = backup::list(dir)
            .map_err(|e| HubError::Server(e.to_string()))?
            .into_iter()
            .flat_map(|(f, m)| {
                let keys = m.encrypted.then(|| Vault::key_path(&f));
                [Some(f), keys]
            })
            .flatten()
            .find(|f| f.file_name().and_then(|n| n.to_str()) == Some(name.as_str()))
            .ok_or(HubError::NoBackup)?;
        // opened now: a backup the retention deletes meanwhile is still read whole
        let file = std::fs::File::open(&known).map_err(|e| HubError::Server(e.to_string()))?;
        let len = file
            .metadata()
            .map_err(|e| HubError::Server(e.to_string()))?
            .len();
        Ok((file, len))
    })
    .await?;
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    std::thread::Builder::new()
        .name("sene-standby-read".into())
        .spawn(move || {
            let mut file = file;
            loop {
                let mut buf = vec![0u8; 256 * 1024];
                match file.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        buf.truncate(n);
                        if tx.blocking_send(Ok(buf.into())).is_err() {
                            break;
                        }
                    }
                    Err(e) => {
                        let _ = tx.blocking_send(Err(e));
                        break;
                    }
                }
            }
        })
        .map_err(|e| HubError::Server(e.to_string()))?;
    let mut response = Response::new(axum::body::Body::from_stream(Chunks(rx)));
    response.headers_mut().insert(
        axum::http::header::CONTENT_LENGTH,
        axum::http::HeaderValue::from(len),
    );
    Ok(response)
}

/// `POST /v1/standby/kept`: recorded only when it names the newest backup or one still in
/// the folder, with its hash.
pub(crate) async fn kept_handler(
    State(hub): State<Arc<Hub>>,
    headers: HeaderMap,
    Json(kept): Json<Kept>,
) -> Result<Json<StandbyCopy>, HubError> {
    let token = bearer(&headers)?;
    blocking(move || {
        let device = standby_device(&hub, &token)?;
        let manifest = backup::list(backup_dir(&hub)?)
            .map_err(|e| HubError::Server(e.to_string()))?
            .into_iter()
            .map(|(_, m)| m)
            .find(|m| m.file == kept.file && m.sha256 == kept.sha256)
            .ok_or(HubError::NoBackup)?;
        let now = hub.with_ledger(|l| Ok(l.now()))?;
        let copy = StandbyCopy {
            device,
            kept_at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            made_at: manifest.made_at.clone(),
            file: manifest.file.clone(),
            sha256: manifest.sha256.clone(),
        };
        record(backup_dir(&hub)?, &copy)?;
        tracing::info!(device = %copy.device, file = %copy.file, made_at = %copy.made_at, "standby copy kept");
        Ok(Json(copy))
    })
    .await
}

/// The hub's refusal, when the answer is not 200 (its body read for the reason).
fn refused(resp: &mut ureq::http::Response<ureq::Body>) -> Result<(), HubError> {
    let status = resp.status().as_u16();
    if status == 200 {
        return Ok(());
    }
    let body = resp
        .body_mut()
        .read_to_vec()
        .map_err(|e| HubError::Network(e.to_string()))?;
    Err(client::remote_error(status, &body))
}

/// What one pull did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pulled {
    /// The copy now held (in the standby's folder).
    pub file: PathBuf,
    /// When the hub made it.
    pub made_at: String,
    /// Bytes downloaded (0: the newest copy was already here).
    pub downloaded: u64,
    /// Older copies deleted by the retention.
    pub pruned: usize,
}

/// Downloads `name` into `to` (a temporary name, then renamed), checking its size and hash;
/// `progress` gets the bytes so far and the total.
fn download(
    http: &ureq::Agent,
    base: &str,
    token: &str,
    name: &str,
    to: &Path,
    expect: Option<(&str, u64)>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<u64, HubError> {
    let url = format!("{}/v1/standby/file/{name}", base.trim_end_matches('/'));
    let mut resp = http
        .get(&url)
        .header("authorization", &format!("Bearer {token}"))
        .call()
        .map_err(|e| client::transport_error(&e, base))?;
    refused(&mut resp)?;
    let total = expect.map_or(0, |(_, n)| n);
    let mut partial = to.as_os_str().to_owned();
    partial.push(".partiel");
    let partial = PathBuf::from(partial);
    let local = |e: std::io::Error| HubError::Server(format!("{} : {e}", partial.display()));
    let mut out = std::fs::File::create(&partial).map_err(local)?;
    let mut reader = resp.into_body().into_reader();
    let mut hash = Sha256::new();
    let mut got = 0u64;
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = reader
            .read(&mut buf)
            .map_err(|e| HubError::Network(e.to_string()))?;
        if n == 0 {
            break;
        }
        out.write_all(&buf[..n]).map_err(local)?;
        hash.update(&buf[..n]);
        got += n as u64;
        progress(got, total);
    }
    out.sync_all().map_err(local)?;
    drop(out);
    if let Some((sha, bytes)) = expect {
        let digest = crate::to_hex(&hash.finalize());
        if got != bytes || !digest.eq_ignore_ascii_case(sha) {
            let _ = std::fs::remove_file(&partial);
            return Err(HubError::Network(format!(
                "copie de secours {name} reçue incomplète ou altérée, {got} octets sur {bytes}, rien n'en est gardé"
            )));
        }
    }
    std::fs::rename(&partial, to).map_err(local)?;
    Ok(got)
}

/// One pull of the standby: asks the hub for its newest backup and, unless this folder holds
/// it already, downloads it (with its key file when the office store is encrypted), checks its
/// size, SHA-256 and (for a plain store) `integrity_check`, keeps it with its manifest, applies
/// the hub's retention to the folder, and tells the hub which copy it holds.
///
/// # Errors
/// [`HubError::NotSecretariat`] for a device that is not the secretariat's, [`HubError::NoBackup`]
/// when the hub has made none, network and remote errors; a copy that fails its checks is not
/// kept.
pub fn pull(
    ledger: &Ledger,
    dir: &Path,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Pulled, HubError> {
    let (base, token, ca) = client::credentials(ledger)?;
    let http = client::agent(ca.as_deref())?;
    let mut resp = http
        .get(format!("{}/v1/standby", base.trim_end_matches('/')))
        .header("authorization", &format!("Bearer {token}"))
        .call()
        .map_err(|e| client::transport_error(&e, &base))?;
    refused(&mut resp)?;
    let body = resp
        .body_mut()
        .read_to_vec()
        .map_err(|e| HubError::Network(e.to_string()))?;
    let Offer { manifest } = serde_json::from_slice(&body)
        .map_err(|e| HubError::Remote(format!("réponse illisible : {e}")))?;
    // a file name with a path in it is not one the hub writes
    if Path::new(&manifest.file)
        .file_name()
        .and_then(|n| n.to_str())
        != Some(&manifest.file)
    {
        return Err(HubError::Remote(format!(
            "nom de sauvegarde refusé : {}",
            manifest.file
        )));
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| HubError::Server(format!("{} : {e}", dir.display())))?;
    let file = dir.join(&manifest.file);
    let held = backup::list(dir)
        .map_err(|e| HubError::Server(e.to_string()))?
        .into_iter()
        .any(|(f, m)| f == file && m.sha256 == manifest.sha256);
    let mut downloaded = 0;
    if !held {
        if manifest.encrypted {
            let keys = Vault::key_path(&file);
            let name = keys
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            downloaded += download(&http, &base, &token, &name, &keys, None, &mut |_, _| {})?;
        }
        downloaded += download(
            &http,
            &base,
            &token,
            &manifest.file,
            &file,
            Some((&manifest.sha256, manifest.bytes)),
            progress,
        )?;
        backup::write_manifest(&file, &manifest).map_err(|e| HubError::Server(e.to_string()))?;
        if !manifest.encrypted {
            // an encrypted copy opens only with the office's key: its hash was checked
            if let Err(e) = backup::verify(&file, None) {
                let _ = backup::remove(&file);
                return Err(HubError::Remote(format!(
                    "copie de secours refusée à la vérification : {e}"
                )));
            }
        }
    }
    let all = backup::list(dir).map_err(|e| HubError::Server(e.to_string()))?;
    let drop = backup::to_prune(
        &all,
        crate::schedule::HOURS,
        crate::schedule::DAYS,
        crate::schedule::MONTHS,
    );
    for f in &drop {
        backup::remove(f).map_err(|e| HubError::Server(e.to_string()))?;
    }
    let kept = serde_json::to_vec(&Kept {
        file: manifest.file.clone(),
        sha256: manifest.sha256.clone(),
    })
    .map_err(|e| HubError::Server(e.to_string()))?;
    let mut resp = http
        .post(format!("{}/v1/standby/kept", base.trim_end_matches('/')))
        .header("authorization", &format!("Bearer {token}"))
        .header("content-type", "application/json")
        .send(&kept[..])
        .map_err(|e| client::transport_error(&e, &base))?;
    refused(&mut resp)?;
    Ok(Pulled {
        file,
        made_at: manifest.made_at,
        downloaded,
        pruned: drop.len(),
    })
}

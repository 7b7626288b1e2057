//! The union office's hub, run by the app itself on the secretariat's machine: started on
//! request, it serves the same store file as the window (SQLite serialises their writes, and the
//! sync engine reloads a document another connection changed). Also the agents, and a new
//! laptop's pairing code.

use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use sene_app::org::NewDevice;
use sene_app::AppError;
use sene_domain::*;
use sene_hub::{enroll, ServeOptions};

use crate::dto::*;
use crate::error::{ApiError, ErrorCode};
use crate::session::{Session, R};

/// The port a union office listens on unless told otherwise (the README's).
const DEFAULT_LISTEN: &str = "0.0.0.0:8750";

/// The addresses devices can use to reach `addr`: itself, or for "any address", this machine's
/// address on its network (the one it would use to go out; no packet is sent) and loopback.
fn urls(addr: SocketAddr) -> Vec<String> {
    let port = addr.port();
    if !addr.ip().is_unspecified() {
        return vec![format!("http://{addr}")];
    }
    let mut out = Vec::new();
    let lan = UdpSocket::bind("0.0.0.0:0")
        .and_then(|s| s.connect("192.0.2.1:9").map(|()| s))
        .and_then(|s| s.local_addr());
    if let Ok(l) = lan {
        if !l.ip().is_loopback() && !l.ip().is_unspecified() {
            out.push(format!("http://{}:{port}", l.ip()));
        }
    }
    out.push(format!("http://127.0.0.1:{port}"));
    out
}

impl Session {
    fn hub_view(&self) -> HubView {
        HubView {
            running: self.hub.is_some(),
            listen: self.hub.map(|a| a.to_string()),
            urls: self.hub.map(urls).unwrap_or_default(),
        }
    }

    /// `hub_status`: whether this app runs the hub, and where.
    ///
    /// # Errors
    /// Not the secretariat.
    pub fn hub_status(&self) -> R<HubView> {
        self.require_office()?;
        Ok(self.hub_view())
    }

    /// `hub_start`: starts the union office's hub in this app (once; it runs until the app
    /// closes), serving this store.
    ///
    /// # Errors
    /// Not the secretariat, a store with no file, a malformed or busy address.
    pub fn hub_start(&mut self, req: &HubStartRequest) -> R<HubView> {
        self.require_office()?;
        if self.hub.is_some() {
            return Ok(self.hub_view());
        }
        let text = match req.listen.trim() {
            "" => DEFAULT_LISTEN,
            t => t,
        };
        let listen: SocketAddr = text.parse().map_err(|_| {
            ApiError::invalid(
                self.lang,
                "listen",
                &format!("« {text} » n'est pas une adresse (par exemple 0.0.0.0:8750)"),
                &format!("\"{text}\" is not an address (for example 0.0.0.0:8750)"),
            )
        })?;
        let store = self.store_path.clone().ok_or_else(|| {
            ApiError::new(
                ErrorCode::Internal,
                "cette session n'a pas de fichier de base : le bureau ne peut pas être servi",
            )
        })?;
        let key = self.data_key();
        let lang = self.lang;
        let (report, started) = std::sync::mpsc::channel::<Result<SocketAddr, String>>();
        std::thread::Builder::new()
            .name("sene-hub".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = report.send(Err(e.to_string()));
                        return;
                    }
                };
                rt.block_on(async move {
                    let (tx, rx) = tokio::sync::oneshot::channel();
                    // the office's window backs up as `sene hub serve` does by default, and
                    // offers its backups to the standby machine
                    let backups = Some(sene_hub::schedule::BackupSchedule::default_for(&store));
                    let opts = ServeOptions {
                        store,
                        listen,
                        tls: None,
                        key,
                        backups,
                    };
                    let server = tokio::spawn(sene_hub::serve(opts, Some(tx)));
                    if let Ok(addr) = rx.await {
                        let _ = report.send(Ok(addr));
                        let _ = server.await;
                    } else {
                        let why = match server.await {
                            // in the session's language (an address in use, a store
                            // served by another hub…)
                            Ok(Err(e)) => e.message(lang),
                            Ok(Ok(())) if lang == Lang::Fr => "arrêté avant d'écouter".into(),
                            Ok(Ok(())) => "stopped before listening".into(),
                            Err(e) => e.to_string(),
                        };
                        let _ = report.send(Err(why));
                    }
                });
            })
            .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
        let addr = started
            .recv_timeout(Duration::from_secs(20))
            .map_err(|_| {
                ApiError::new(
                    ErrorCode::Network,
                    if self.lang == Lang::Fr {
                        "le bureau n'a pas démarré dans les 20 secondes"
                    } else {
                        "the hub did not start within 20 seconds"
                    },
                )
            })?
            .map_err(|why| {
                ApiError::new(
                    ErrorCode::Network,
                    if self.lang == Lang::Fr {
                        format!("le bureau n'a pas pu démarrer sur {listen} : {why}")
                    } else {
                        format!("the hub could not start on {listen}: {why}")
                    },
                )
            })?;
        self.hub = Some(addr);
        Ok(self.hub_view())
    }

    /// `list_agents`: the union's agents, by name.
    ///
    /// # Errors
    /// Not the secretariat, store errors.
    pub fn agents(&self) -> R<Vec<AgentView>> {
        self.require_office()?;
        let db = self.ledger.db();
        let codes: std::collections::HashMap<CooperativeId, String> = db
            .cooperatives()
            .map_err(|e| self.app(&e.into()))?
            .into_iter()
            .map(|c| (c.id, c.code))
            .collect();
        let mut out = Vec::new();
        for id in db.agent_ids().map_err(|e| self.app(&e.into()))? {
            if let Some(a) = db.agent(id).map_err(|e| self.app(&e.into()))? {
                out.push(AgentView {
                    id: a.id.to_string(),
                    role: a.role.code().to_owned(),
                    role_label: self.label(a.role.label_fr(), a.role.label_en()),
                    cooperatives: a
                        .cooperatives
                        .iter()
                        .filter_map(|c| codes.get(c).cloned())
                        .collect(),
                    name: a.name,
                });
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// `pair_device`: registers a new laptop for an agent (its receipt prefix unique in the
    /// union) and gives the one-time code the agent types on it, valid 7 days.
    ///
    /// # Errors
    /// Not the secretariat, unknown agent, a label or prefix the rules refuse, a prefix in use.
    pub fn pair_device(&mut self, req: &PairRequest) -> R<PairingView> {
        self.require_office()?;
        let agent_id: AgentId = self.id("agent", &req.agent_id)?;
        let agent = self
            .ledger
            .db()
            .agent(agent_id)
            .map_err(|e| self.app(&e.into()))?
            .ok_or_else(|| {
                self.app(&AppError::NotFound {
                    kind: "agent",
                    id: req.agent_id.clone(),
                })
            })?;
        let actor = self.actor()?;
        let device = self
            .ledger
            .run(&actor, |tx| {
                tx.add_device(NewDevice {
                    id: None,
                    label: req.device_label.clone(),
                    receipt_prefix: req.receipt_prefix.clone(),
                })
            })
            .map_err(|e| self.app(&e))?;
        let lang = self.lang;
        let p = enroll::pair(&mut self.ledger, device.id, agent.id, &agent.cooperatives)
            .map_err(|e| ApiError::from_hub(&e, lang))?;
        Ok(PairingView {
            device_id: p.device_id.to_string(),
            code: p.code,
            expires: p.expires,
            hub_urls: self.hub.map(urls).unwrap_or_default(),
        })
    }
}

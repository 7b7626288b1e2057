//! The union office's hub, run by the app itself on the secretariat's machine: started on
//! request, it serves the same store file as the window (SQLite serialises their writes, and the
//! sync engine reloads a document another connection changed). Also the agents, a new
//! laptop's pairing code, the laptops it knows (last exchange, what each lacks), and the
//! office's side of the USB stick: a laptop's file read, a file written for a laptop.

use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use sene_app::org::NewDevice;
use sene_app::AppError;
use sene_domain::*;
use sene_hub::usb::{self, UsbRefusal};
use sene_hub::{enroll, ServeOptions};

use crate::dto::*;
use crate::error::{ApiError, ErrorCode};
use crate::session::{usb_steps, write_durably, Session, SyncProgress, R};

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
        if req.federation {
            return self.pair_federation(req);
        }
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

    /// `pair_device` for the federation: its device registered (label and receipt prefix as
    /// a laptop's), paired with a read-only agent named as it, for a scope that reads every
    /// document of the union and writes none.
    fn pair_federation(&mut self, req: &PairRequest) -> R<PairingView> {
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
        let p = enroll::pair_federation(&mut self.ledger, device.id)
            .map_err(|e| ApiError::from_hub(&e, lang))?;
        Ok(PairingView {
            device_id: p.device_id.to_string(),
            code: p.code,
            expires: p.expires,
            hub_urls: self.hub.map(urls).unwrap_or_default(),
        })
    }

    /// Whether this store is enrolled with no hub: the union office's own (the hub's store).
    pub(crate) fn is_unenrolled(&self) -> R<bool> {
        Ok(self
            .ledger
            .setting(sene_hub::client::keys::HUB_TOKEN)
            .map_err(|e| self.app(&e))?
            .is_none())
    }

    /// Whether this is the union office: the hub's store, the secretariat signed in.
    pub(crate) fn is_office(&self) -> R<bool> {
        Ok(self.is_unenrolled()? && self.require_office().is_ok())
    }

    /// A USB file refused, said at the form's field (`path`, or `device_id` for the laptop).
    pub(crate) fn refusal(&self, r: &UsbRefusal, field: &str) -> ApiError {
        let code = match r {
            UsbRefusal::NotSene => ErrorCode::File,
            UsbRefusal::Damaged => ErrorCode::SyncError,
            UsbRefusal::Forged => ErrorCode::SyncUnauthentic,
            _ => ErrorCode::SyncRefused,
        };
        ApiError {
            code,
            message: r.message(self.lang).to_owned(),
            field: Some(field.to_owned()),
        }
    }

    /// `hub_devices`: every laptop the office registered: its agent and cooperatives, whether
    /// it joined, its last exchange with the office and what it lacks.
    ///
    /// # Errors
    /// Not the secretariat, store and sync errors.
    pub fn hub_devices(&mut self) -> R<Vec<HubDeviceView>> {
        self.require_office()?;
        let lang = self.lang;
        let states =
            usb::office_devices(&mut self.ledger).map_err(|e| ApiError::from_hub(&e, lang))?;
        let db = self.ledger.db();
        let codes: std::collections::HashMap<String, String> = db
            .cooperatives()
            .map_err(|e| self.app(&e.into()))?
            .into_iter()
            .map(|c| (c.id.to_string(), c.code))
            .collect();
        let fr = lang == Lang::Fr;
        let mut out = Vec::with_capacity(states.len());
        for d in states {
            let device = match d.device_id.parse::<DeviceId>() {
                Ok(id) => db.device(id).map_err(|e| self.app(&e.into()))?,
                Err(_) => None,
            };
            let agent = match d.agent_id.parse::<AgentId>() {
                Ok(id) => db.agent(id).map_err(|e| self.app(&e.into()))?,
                Err(_) => None,
            };
            let (state, state_label) = match (&d.revoked_at, &d.enrolled_at) {
                (Some(_), _) => ("revoked", if fr { "Révoqué" } else { "Revoked" }),
                (None, Some(_)) => ("enrolled", if fr { "Enrôlé" } else { "Enrolled" }),
                (None, None) => (
                    "pending",
                    if fr {
                        "Code donné, pas encore rejoint"
                    } else {
                        "Code given, not joined yet"
                    },
                ),
            };
            // what its last sync's answer carried is sent, not confirmed: the laptop says it
            // holds it at its next sync (a USB file for it carries it until then)
            let lacks_label = match (d.lacks, fr) {
                (Some(l), true) if l.changes == 0 && l.sent == 0 => "À jour".to_owned(),
                (Some(l), false) if l.changes == 0 && l.sent == 0 => "Up to date".to_owned(),
                (Some(l), true) if l.changes == 0 => {
                    "À jour : envoyé, confirmation à sa prochaine synchronisation".to_owned()
                }
                (Some(l), false) if l.changes == 0 => {
                    "Up to date: sent, confirmed at its next sync".to_owned()
                }
                (Some(l), true) if l.sent == 0 => {
                    format!("{} modification(s) à recevoir", l.changes)
                }
                (Some(l), false) if l.sent == 0 => format!("{} change(s) to receive", l.changes),
                (Some(l), true) => format!(
                    "{} modification(s) à recevoir ; le reste envoyé, confirmation à sa prochaine synchronisation",
                    l.changes
                ),
                (Some(l), false) => format!(
                    "{} change(s) to receive; the rest sent, confirmed at its next sync",
                    l.changes
                ),
                (None, _) if state == "revoked" => if fr {
                    "Rien ne lui est envoyé"
                } else {
                    "Nothing goes to it"
                }
                .to_owned(),
                (None, true) => "Tout, à son premier échange".to_owned(),
                (None, false) => "Everything, at its first exchange".to_owned(),
            };
            let cooperatives: Vec<String> = d
                .cooperatives
                .iter()
                .filter_map(|c| codes.get(c).cloned())
                .collect();
            let scope_label = match (d.federation, fr) {
                (true, true) => "Fédération : lit toute l’union, n’écrit rien".to_owned(),
                (true, false) => "Federation: reads the whole union, writes nothing".to_owned(),
                (false, _) => cooperatives.join(", "),
            };
            out.push(HubDeviceView {
                label: device
                    .as_ref()
                    .map_or_else(|| d.device_id.clone(), |x| x.label.clone()),
                receipt_prefix: device.map(|x| x.receipt_prefix).unwrap_or_default(),
                agent_name: agent.map(|a| a.name).unwrap_or_default(),
                cooperatives,
                federation: d.federation,
                scope_label,
                state: state.to_owned(),
                state_label: state_label.to_owned(),
                enrolled_at: d.enrolled_at,
                last_sync_at: d.last_sync_at,
                lacks_changes: d
                    .lacks
                    .map(|l| u32::try_from(l.changes).unwrap_or(u32::MAX)),
                lacks_label,
                may_export: state == "enrolled",
                may_revoke: state != "revoked",
                device_id: d.device_id,
            });
        }
        out.sort_by(|a, b| a.label.cmp(&b.label));
        Ok(out)
    }

    /// `revoke_device`: a lost or stolen laptop is refused from now on: its syncs, and its USB
    /// files (kept for review, never merged). Answers the list again.
    ///
    /// # Errors
    /// Not the secretariat, unknown device.
    pub fn revoke_device(&mut self, req: &DeviceRequest) -> R<Vec<HubDeviceView>> {
        self.require_office()?;
        let device: DeviceId = self.id("device_id", &req.device_id)?;
        let lang = self.lang;
        enroll::revoke(&mut self.ledger, device).map_err(|e| ApiError::from_hub(&e, lang))?;
        self.hub_devices()
    }

    /// `usb_import` at the union office: a laptop's file, checked (a Sene file made for the
    /// office by a laptop enrolled here, its signature good) then merged as the hub merges an
    /// HTTP sync: the laptop's scope, its history's proof, the changes it relays. A revoked
    /// laptop's file is kept for review and nothing of it merged.
    ///
    /// # Errors
    /// Not the secretariat; unreadable, foreign, forged or revoked file; refused documents.
    pub(crate) fn office_usb_import(
        &mut self,
        req: &PathRequest,
        progress: &mut dyn FnMut(&SyncProgress),
    ) -> R<SyncResult> {
        self.require_office()?;
        let lang = self.lang;
        let path = self.usb_path(&req.path)?;
        let step = usb_steps(lang, 4);
        progress(&step(1, "Lecture du fichier", "Reading the file"));
        let bytes = std::fs::read(&path).map_err(|e| {
            let mut err = self.file_error(&path, &e);
            err.field = Some("path".into());
            err
        })?;
        progress(&step(
            2,
            "Vérification de l'expéditeur et de la signature",
            "Checking the sender and the signature",
        ));
        let checked = usb::office_check(&self.ledger, &bytes)
            .map_err(|e| ApiError::from_hub(&e, lang))?
            .map_err(|r| self.refusal(&r, "path"))?;
        let who = self
            .ledger
            .db()
            .device(
                checked
                    .device
                    .device_id
                    .parse()
                    .map_err(|_| self.refusal(&UsbRefusal::UnknownDevice, "path"))?,
            )
            .map_err(|e| self.app(&e.into()))?
            .map_or_else(|| checked.device.device_id.clone(), |d| d.label);
        progress(&step(
            3,
            &format!("Fusion du fichier de « {who} »"),
            &format!("Merging the file of \"{who}\""),
        ));
        let r = usb::hub_import(&mut self.ledger, &bytes).map_err(|e| {
            let mut err = ApiError::from_hub(&e, lang);
            err.field = Some("path".into());
            err
        })?;
        progress(&step(4, "Terminé", "Done"));
        let mut out = self.import_result(&r);
        out.message = if lang == Lang::Fr {
            format!(
                "Fichier de « {who} » importé : {} enregistrement(s)",
                r.records
            )
        } else {
            format!("File of \"{who}\" imported: {} record(s)", r.records)
        };
        Ok(out)
    }

    /// `usb_export` at the union office: the file for the laptop `device_id`, with everything
    /// in its scope it lacks since its last sync.
    ///
    /// # Errors
    /// Not the secretariat; no laptop named, or one not enrolled; the file cannot be written.
    pub(crate) fn office_usb_export(
        &mut self,
        req: &UsbExportRequest,
        progress: &mut dyn FnMut(&SyncProgress),
    ) -> R<FileWritten> {
        self.require_office()?;
        let lang = self.lang;
        if req.device_id.trim().is_empty() {
            return Err(ApiError::invalid(
                lang,
                "device_id",
                "choisissez le portable à qui le fichier est destiné",
                "choose the laptop the file is for",
            ));
        }
        let device: DeviceId = req
            .device_id
            .trim()
            .parse()
            .map_err(|_| self.refusal(&UsbRefusal::UnknownDevice, "device_id"))?;
        let path = self.usb_path(&req.path)?;
        let label = self
            .ledger
            .db()
            .device(device)
            .map_err(|e| self.app(&e.into()))?
            .map_or_else(|| device.to_string(), |d| d.label);
        let step = usb_steps(lang, 3);
        progress(&step(
            1,
            &format!("Ce qui manque à « {label} »"),
            &format!("What \"{label}\" lacks"),
        ));
        usb::office_export_check(&self.ledger, device)
            .map_err(|e| ApiError::from_hub(&e, lang))?
            .map_err(|r| self.refusal(&r, "device_id"))?;
        let bytes =
            usb::hub_export(&mut self.ledger, device).map_err(|e| ApiError::from_hub(&e, lang))?;
        progress(&step(2, "Écriture du fichier", "Writing the file"));
        write_durably(&path, &bytes).map_err(|e| {
            let mut err = self.file_error(&path, &e);
            err.field = Some("path".into());
            err
        })?;
        progress(&step(3, "Terminé", "Done"));
        Ok(FileWritten {
            path: path.display().to_string(),
            bytes: u32::try_from(bytes.len()).unwrap_or(u32::MAX),
        })
    }
}

//! Sync with the hub and by USB file on a laptop (the office's side is in `hub.rs`), and the
//! open conflicts a sync brings.

use std::path::{Path, PathBuf};

use sene_domain::*;
use sene_hub::client;

use super::{write_durably, Session, SyncProgress, R};
use crate::dto::*;
use crate::error::{ApiError, ErrorCode};

/// Setting: the audit sequence at the last completed sync (what "changes waiting" counts from).
const SYNCED_SEQ: &str = "ui_synced_audit_seq";

impl Session {
    /// `sync_status`. At the union office (this store is the hub's, the secretariat signed
    /// in) nothing waits to be sent: the laptops fetch from it. What it counts instead is the
    /// laptops that lack something it holds.
    ///
    /// # Errors
    /// Store errors.
    pub fn sync_status(&mut self) -> R<SyncStatus> {
        let office = self.is_office()?;
        let devices_behind = if office {
            let behind = self
                .hub_devices()?
                .iter()
                .filter(|d| d.lacks_changes.unwrap_or(0) > 0)
                .count();
            u32::try_from(behind).unwrap_or(u32::MAX)
        } else {
            0
        };
        let get = |k: &str| self.ledger.setting(k).map_err(|e| self.app(&e));
        let db = self.ledger.db();
        let seq = db.audit_seq().map_err(|e| self.app(&e.into()))?;
        let synced = get(SYNCED_SEQ)?
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(0);
        let open = self.ledger.conflicts(true).map_err(|e| self.app(&e))?.len();
        Ok(SyncStatus {
            enrolled: get(client::keys::HUB_TOKEN)?.is_some(),
            hub_url: get(client::keys::HUB_URL)?,
            last_sync_at: get(client::keys::LAST_SYNC)?,
            pending_changes: if office {
                0
            } else {
                u32::try_from((seq - synced).max(0)).unwrap_or(u32::MAX)
            },
            open_conflicts: u32::try_from(open).unwrap_or(u32::MAX),
            office,
            devices_behind,
        })
    }

    fn mark_synced(&mut self) -> R<()> {
        let seq = self
            .ledger
            .db()
            .audit_seq()
            .map_err(|e| self.app(&e.into()))?;
        self.ledger
            .set_setting(SYNCED_SEQ, &seq.to_string())
            .map_err(|e| self.app(&e))
    }

    /// `sync_now`: one sync with the hub, with progress.
    ///
    /// # Errors
    /// Not enrolled, network, refused.
    pub fn sync_now(&mut self, progress: &mut dyn FnMut(&SyncProgress)) -> R<SyncResult> {
        let lang = self.lang;
        let fr = lang == Lang::Fr;
        if self.is_office()? {
            // the office is the hub: it has no hub to sync with (never « run sene enroll »)
            return Err(ApiError::new(
                ErrorCode::SyncRefused,
                if fr {
                    "ce poste est le bureau de l'union : ce sont les portables qui se synchronisent avec lui (serveur du bureau ci-dessous), ou apportent leur fichier USB"
                } else {
                    "this computer is the union office: the laptops sync with it (office server below), or bring their USB file"
                },
            ));
        }
        let r = client::sync(&mut self.ledger, None, &mut |p| {
            let step = match p {
                client::Progress::Sending { round, docs, .. } => {
                    if fr {
                        format!("Envoi de {docs} document(s) (tour {round})")
                    } else {
                        format!("Sending {docs} document(s) (round {round})")
                    }
                }
                client::Progress::Answered { round, .. } => {
                    if fr {
                        format!("Réponse du bureau reçue, intégration (tour {round})")
                    } else {
                        format!("The office's answer received, applying it (round {round})")
                    }
                }
                client::Progress::Received { round, records, .. } => {
                    if fr {
                        format!("{records} enregistrement(s) reçu(s) (tour {round})")
                    } else {
                        format!("{records} record(s) received (round {round})")
                    }
                }
                client::Progress::Done => if fr { "Terminé" } else { "Done" }.to_owned(),
            };
            progress(&SyncProgressView {
                step,
                done: u32::try_from(p.step()).unwrap_or(0),
                total: u32::try_from(client::Progress::STEPS).unwrap_or(0),
            });
        })
        .map_err(|e| ApiError::from_hub(&e, lang))?;
        self.mark_synced()?;
        let refused: Vec<String> = r
            .refused_by_hub
            .iter()
            .map(|x| format!("{} : {}", x.doc, x.reason))
            .collect();
        Ok(SyncResult {
            sent: u32::try_from(r.pushed.records).unwrap_or(u32::MAX),
            received: u32::try_from(r.pulled.records).unwrap_or(u32::MAX),
            conflicts: u32::try_from(r.pulled.conflicts + r.pushed.conflicts).unwrap_or(u32::MAX),
            message: if fr {
                format!(
                    "Synchronisé : {} enregistrement(s) envoyés, {} reçus, {} aller-retour(s)",
                    r.pushed.records, r.pulled.records, r.rounds
                )
            } else {
                format!(
                    "Synced: {} record(s) sent, {} received, {} round trip(s)",
                    r.pushed.records, r.pulled.records, r.rounds
                )
            },
            refused,
        })
    }

    pub(crate) fn file_error(&self, path: &Path, e: &std::io::Error) -> ApiError {
        use std::io::ErrorKind as K;
        let p = path.display();
        // the system's own text is in English whatever the interface's language: the two
        // cases a person meets with a USB stick are said in theirs
        let message = match (e.kind(), self.lang == Lang::Fr) {
            (K::NotFound, true) => {
                format!(
                    "fichier {p} introuvable : vérifiez le chemin et que la clé USB est branchée"
                )
            }
            (K::NotFound, false) => {
                format!("file {p} not found: check the path and that the USB stick is plugged in")
            }
            (K::PermissionDenied, true) => format!("fichier {p} : accès refusé"),
            (K::PermissionDenied, false) => format!("file {p}: permission denied"),
            (_, true) => format!("fichier {p} : {e}"),
            (_, false) => format!("file {p}: {e}"),
        };
        ApiError::new(ErrorCode::File, message)
    }

    /// `usb_export`: on a laptop, what the office lacks, to a file for a USB stick; at the
    /// union office, what the laptop `device_id` lacks (see [`Session::office_usb_export`]).
    /// Its steps go to `progress`.
    ///
    /// # Errors
    /// Not enrolled; at the office, no laptop named or one that cannot receive a file; the file
    /// cannot be written.
    pub fn usb_export(
        &mut self,
        req: &UsbExportRequest,
        progress: &mut dyn FnMut(&SyncProgress),
    ) -> R<FileWritten> {
        if self.is_unenrolled()? {
            return self.office_usb_export(req, progress);
        }
        let lang = self.lang;
        let path = self.usb_path(&req.path)?;
        let step = usb_steps(lang, 3);
        progress(&step(
            1,
            "Préparation du fichier pour le bureau",
            "Preparing the file for the office",
        ));
        sene_hub::usb::device_ready(&self.ledger)
            .map_err(|e| ApiError::from_hub(&e, lang))?
            .map_err(|r| self.refusal(&r, "path"))?;
        let bytes = sene_hub::usb::device_export(&mut self.ledger)
            .map_err(|e| ApiError::from_hub(&e, lang))?;
        progress(&step(2, "Écriture du fichier", "Writing the file"));
        write_durably(&path, &bytes).map_err(|e| self.file_error(&path, &e))?;
        progress(&step(3, "Terminé", "Done"));
        Ok(FileWritten {
            path: path.display().to_string(),
            bytes: u32::try_from(bytes.len()).unwrap_or(u32::MAX),
        })
    }

    /// `usb_import`: on a laptop, a file from the union office; at the office, a laptop's file
    /// (see [`Session::office_usb_import`]). Its steps go to `progress`.
    ///
    /// # Errors
    /// Unreadable, forged or altered file; refused documents.
    pub fn usb_import(
        &mut self,
        req: &PathRequest,
        progress: &mut dyn FnMut(&SyncProgress),
    ) -> R<SyncResult> {
        if self.is_unenrolled()? {
            return self.office_usb_import(req, progress);
        }
        let lang = self.lang;
        let path = self.usb_path(&req.path)?;
        let step = usb_steps(lang, 3);
        progress(&step(1, "Lecture du fichier", "Reading the file"));
        let bytes = std::fs::read(&path).map_err(|e| self.file_error(&path, &e))?;
        progress(&step(2, "Vérification et fusion", "Checking and merging"));
        sene_hub::usb::device_check(&self.ledger, &bytes)
            .map_err(|e| ApiError::from_hub(&e, lang))?
            .map_err(|r| self.refusal(&r, "path"))?;
        let r = sene_hub::usb::device_import(&mut self.ledger, &bytes)
            .map_err(|e| ApiError::from_hub(&e, lang))?;
        progress(&step(3, "Terminé", "Done"));
        Ok(self.import_result(&r))
    }

    /// What a USB import did, for the window.
    pub(crate) fn import_result(&self, r: &sene_app::sync::SyncReport) -> SyncResult {
        SyncResult {
            sent: 0,
            received: u32::try_from(r.records).unwrap_or(u32::MAX),
            conflicts: u32::try_from(r.conflicts).unwrap_or(u32::MAX),
            refused: r
                .refused
                .iter()
                .map(|x| format!("{} : {}", x.doc, x.reason))
                .collect(),
            message: if self.lang == Lang::Fr {
                format!("Importé : {} enregistrement(s)", r.records)
            } else {
                format!("Imported: {} record(s)", r.records)
            },
        }
    }

    /// The path typed for a USB file, refused at its field when empty.
    pub(crate) fn usb_path(&self, text: &str) -> R<PathBuf> {
        match text.trim() {
            "" => Err(ApiError::invalid(
                self.lang,
                "path",
                "donnez le chemin du fichier",
                "give the file's path",
            )),
            t => Ok(PathBuf::from(t)),
        }
    }

    /// `list_conflicts`: the open conflicts, as a person reads them.
    ///
    /// # Errors
    /// Store errors.
    pub fn conflicts(&mut self) -> R<Vec<ConflictView>> {
        let ids: Vec<String> = self
            .ledger
            .conflicts(true)
            .map_err(|e| self.app(&e))?
            .into_iter()
            .map(|c| c.id)
            .collect();
        ids.iter().map(|id| self.conflict_view(id)).collect()
    }
}

/// The `n`-th of `total` steps of a USB exchange, said in `lang`, for the progress bar.
pub(crate) fn usb_steps(lang: Lang, total: u32) -> impl Fn(u32, &str, &str) -> SyncProgress {
    move |n, fr, en| SyncProgressView {
        step: if lang == Lang::Fr { fr } else { en }.to_owned(),
        done: n,
        total,
    }
}

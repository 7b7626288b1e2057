//! Backups: when the store was last backed up, the drives to back up to, and a verified copy
//! of the live store into a folder.

use std::path::{Path, PathBuf};

use sene_app::StoreError;
use sene_domain::*;

use super::{Session, R};
use crate::dto::*;
use crate::error::{ApiError, ErrorCode};

impl Session {
    /// `backup_status`: when this store was last backed up, whether that is more than
    /// [`BACKUP_MAX_AGE_HOURS`](super::BACKUP_MAX_AGE_HOURS) ago by the ledger's clock (or
    /// never: the window warns), the removable drives mounted now (with their free space when
    /// `df` answers at once), and a folder to suggest (`<store folder>/sauvegardes`).
    ///
    /// # Errors
    /// Store errors.
    pub fn backup_status(&self) -> R<BackupStatusView> {
        let last = self.ledger.last_backup().map_err(|e| self.app(&e))?;
        let file = self
            .ledger
            .setting(sene_store::backup::keys::LAST_BACKUP_FILE)
            .map_err(|e| self.app(&e))?;
        let overdue = self.ledger.backup_overdue().map_err(|e| self.app(&e))?;
        let found = crate::drives::removable_drives();
        let free = crate::drives::free_bytes(&found);
        let drives = found
            .iter()
            .zip(free)
            .map(|(p, f)| DriveView {
                path: p.display().to_string(),
                name: p.file_name().map_or_else(
                    || p.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                ),
                free_label: f.map(|b| crate::drives::size_label(b, self.lang)),
            })
            .collect();
        let store = self
            .store_path
            .clone()
            .or_else(|| self.ledger.store().path().map(Path::to_path_buf));
        // the folder the office's hub backs up into is the one suggested
        let hub_dir = store
            .as_deref()
            .map(|s| sene_hub::schedule::BackupSchedule::default_for(s).dir);
        let default_dir = hub_dir.as_ref().map(|d| d.display().to_string());
        let standby = match &hub_dir {
            Some(dir) if self.require_office().is_ok() => {
                let st = sene_hub::standby::status(dir, self.ledger.now());
                let device = st.copy.as_ref().map(|c| {
                    c.device
                        .parse()
                        .ok()
                        .and_then(|id| self.ledger.db().device(id).ok().flatten())
                        .map_or_else(|| c.device.clone(), |d| d.label)
                });
                Some(StandbyView {
                    device,
                    kept_at: st.copy.as_ref().map(|c| c.kept_at.clone()),
                    made_at: st.copy.as_ref().map(|c| c.made_at.clone()),
                    current: st.current,
                    overdue: st.overdue,
                })
            }
            _ => None,
        };
        Ok(BackupStatusView {
            last_backup_at: last,
            last_backup_file: file,
            overdue,
            drives,
            default_dir,
            standby,
        })
    }

    /// An error about the backup folder `dir`, naming the field `dir`.
    fn backup_dir_error(&self, dir: &Path, fr: &str, en: &str) -> ApiError {
        ApiError {
            code: ErrorCode::File,
            message: if self.lang == Lang::Fr {
                format!("dossier {} : {fr}", dir.display())
            } else {
                format!("folder {}: {en}", dir.display())
            },
            field: Some("dir".into()),
        }
    }

    /// `backup_now`: a consistent copy of the live store into the folder `dir` (created if
    /// needed), with its manifest and, when the store is encrypted, its key file; then read
    /// back and checked (SHA-256, integrity, manifest) before it is called done. Progress goes
    /// to `progress` (started, writing, verifying, done). The store is never changed but for
    /// the date of its last backup.
    ///
    /// # Errors
    /// An empty or relative folder, a folder that cannot be made or written (field `dir`), a
    /// full drive, a copy that does not verify.
    pub fn backup_now(
        &mut self,
        req: &BackupRequest,
        progress: &mut dyn FnMut(&BackupProgressView),
    ) -> R<BackupView> {
        let lang = self.lang;
        let fr = lang == Lang::Fr;
        let typed = req.dir.trim();
        if typed.is_empty() {
            return Err(ApiError::invalid(
                lang,
                "dir",
                "choisissez une clé USB ou saisissez un dossier",
                "choose a USB drive or type a folder",
            ));
        }
        let dir = PathBuf::from(typed);
        if !dir.is_absolute() {
            return Err(ApiError::invalid(
                lang,
                "dir",
                &format!(
                    "« {typed} » n'est pas un chemin complet (par exemple /media/secretariat/CLE)"
                ),
                &format!("\"{typed}\" is not a full path (for example /media/secretariat/KEY)"),
            ));
        }
        const TOTAL: u32 = 4;
        let mut step = |stage: &str, done: u32, text_fr: &str, text_en: &str| {
            progress(&BackupProgressView {
                stage: stage.into(),
                step: if fr { text_fr } else { text_en }.to_owned(),
                done,
                total: TOTAL,
            });
        };
        step(
            "started",
            1,
            "Préparation du dossier",
            "Preparing the folder",
        );
        // the folder first, so that a wrong one is named as such (not as the store's problem)
        std::fs::create_dir_all(&dir).map_err(|e| {
            self.backup_dir_error(
                &dir,
                &format!("impossible de le créer ({e}) : vérifiez que la clé est branchée, ou choisissez un autre dossier"),
                &format!("cannot be created ({e}): check that the drive is plugged in, or choose another folder"),
            )
        })?;
        let probe = dir.join(format!(".sene-essai-{}", std::process::id()));
        std::fs::write(&probe, b"sene")
            .and_then(|()| std::fs::remove_file(&probe))
            .map_err(|e| {
                let _ = std::fs::remove_file(&probe);
                self.backup_dir_error(
                    &dir,
                    &format!("on ne peut pas y écrire ({e}) : la clé est peut-être protégée en écriture ; choisissez un autre dossier"),
                    &format!("cannot be written to ({e}): the drive may be write-protected; choose another folder"),
                )
            })?;
        step("writing", 2, "Copie de la base", "Copying the store");
        let key = self.data_key();
        let made = self.ledger.backup_into(&dir, key.as_ref()).map_err(|e| {
            use sene_store::backup::BackupError as B;
            match &e {
                B::Store(StoreError::DiskFull) => self.backup_dir_error(
                    &dir,
                    "la clé ou le disque est plein : libérez de la place ou prenez une autre clé (la base n'a pas changé)",
                    "the drive or disk is full: free some space or use another drive (the store did not change)",
                ),
                B::Store(StoreError::ReadOnly { .. } | StoreError::CannotOpen { .. }) => self
                    .backup_dir_error(
                        &dir,
                        "on ne peut pas y écrire la copie : choisissez un autre dossier (la base n'a pas changé)",
                        "the copy cannot be written there: choose another folder (the store did not change)",
                    ),
                B::Io { path, .. } if Path::new(path).starts_with(&dir) => {
                    let mut err = ApiError::from_backup(&e, lang);
                    err.field = Some("dir".into());
                    err
                }
                _ => ApiError::from_backup(&e, lang),
            }
        })?;
        step(
            "verifying",
            3,
            "Vérification de la copie",
            "Checking the copy",
        );
        let manifest = sene_store::backup::verify(&made.file, key.as_ref())
            .map_err(|e| ApiError::from_backup(&e, lang))?;
        step("done", 4, "Sauvegarde vérifiée", "Backup checked");
        Ok(BackupView {
            file: made.file.display().to_string(),
            file_name: manifest.file.clone(),
            dir: made.file.parent().unwrap_or(&dir).display().to_string(),
            manifest: sene_store::backup::manifest_path(&made.file)
                .display()
                .to_string(),
            bytes: manifest.bytes.to_string(),
            size_label: crate::drives::size_label(manifest.bytes, lang),
            made_at: manifest.made_at.clone(),
            sha256_prefix: manifest.sha256.chars().take(16).collect(),
            encrypted: manifest.encrypted,
        })
    }
}

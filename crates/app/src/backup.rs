//! Backups and restores of a store, as the ledger sees them: the copy is the store's
//! (`sene_store::backup`); what a restore changes so that nothing is reused — the sync
//! identity and the receipt series — is decided here, with the ledger's clock.

use std::path::Path;

use sene_store::backup::{self, Backup, BackupError, BackupManifest};
use sene_store::DataKey;

use crate::{Ledger, Result};

/// A backup older than this (by the ledger's clock), or none at all, is overdue.
pub const BACKUP_MAX_AGE_HOURS: i64 = 24;

impl Ledger {
    /// A consistent copy of this store in `dir` (with its key file when `key` is given: the
    /// store is encrypted), its manifest dated by the ledger's clock.
    ///
    /// # Errors
    /// [`BackupError`].
    pub fn backup_into(
        &self,
        dir: &Path,
        key: Option<&DataKey>,
    ) -> std::result::Result<Backup, BackupError> {
        let at = self
            .now()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        self.store().backup_into(dir, key, &at)
    }

    /// Whether this store's backup is overdue: never made, or older than
    /// [`BACKUP_MAX_AGE_HOURS`] by the ledger's clock (the office's dashboard warns).
    ///
    /// # Errors
    /// Store errors.
    pub fn backup_overdue(&self) -> Result<bool> {
        Ok(
            match self
                .last_backup()?
                .as_deref()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t.trim()).ok())
            {
                Some(at) => {
                    self.now() - at.with_timezone(&chrono::Utc)
                        > chrono::Duration::hours(BACKUP_MAX_AGE_HOURS)
                }
                None => true,
            },
        )
    }

    /// When this store last made a backup (RFC 3339), if ever.
    ///
    /// # Errors
    /// Store errors.
    pub fn last_backup(&self) -> Result<Option<String>> {
        self.setting(backup::keys::LAST_BACKUP)
    }

    /// Marks this store, just put back from the backup `file` (its `manifest`), as restored:
    /// a new sync generation and automerge actor, so no sequence number of the lost store is
    /// reused; its own receipts in a new series, so no receipt number is issued twice; and the
    /// restoration recorded. Call it before anything else writes to the store.
    ///
    /// # Errors
    /// Store errors.
    pub fn mark_restored(
        &mut self,
        manifest: &BackupManifest,
        file: &Path,
        moved_aside: Option<&Path>,
    ) -> Result<u32> {
        self.mark_restored_after(manifest, file, moved_aside, 0)
    }

    /// [`Ledger::mark_restored`], the new generation above `floor` too.
    fn mark_restored_after(
        &mut self,
        manifest: &BackupManifest,
        file: &Path,
        moved_aside: Option<&Path>,
        floor: u32,
    ) -> Result<u32> {
        let at = self
            .now()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let file = file.display().to_string();
        let aside = moved_aside.map(|p| p.display().to_string());
        // the store moved aside may itself be a restore of this backup, which numbered
        // receipts in its series: the new series comes after it
        let floor = moved_aside
            .and_then(|p| self.db().generation_of_file(p))
            .unwrap_or(0)
            .max(floor);
        let generation = self.store_mut().write(|db| {
            db.mark_restored(manifest, &file, &at, aside.as_deref(), floor)
                .map_err(crate::AppError::from)
        })?;
        // the store's file now (a restore installs a copy): its own, not one copied by hand
        if let Some(id) = self.store().path().and_then(backup::file_identity) {
            self.set_setting(backup::keys::FILE_IDENTITY, &id)?;
        }
        // the next write uses the new actor
        self.forget_engine();
        Ok(generation)
    }

    /// Marks this store as put back from an older copy of itself that no `sene restore` went
    /// through (its file copied back from a key): the hub found that it holds this device's
    /// history up to head `known`, further than the store does. As [`Ledger::mark_restored`]:
    /// a new sync generation and automerge actor, its receipts in a new series; the
    /// restoration is recorded as a copy put back, found by the hub. The new generation is
    /// above `after`, the newest the hub accepted from this device (another store enrolled as
    /// it before, a reinstalled laptop, may have used the next one). Returns it.
    ///
    /// # Errors
    /// Store errors.
    pub fn mark_rewound(&mut self, known: i64, after: u32) -> Result<u32> {
        self.mark_put_back(
            format!(
                "copie remise en place sans restauration (le bureau avait reçu son historique jusqu'au n° {known})"
            ),
            after,
        )
    }

    /// Checks, when the app or the CLI opens this store, that it is still in the file it was
    /// last opened in ([`backup::file_identity`]). A store found in another file was copied
    /// by hand — to a USB key and back after a lost disk, or opened from the key itself — and
    /// another copy of it may live on and sync: before anything is written, a store that is a
    /// device's takes a new identity and receipt series, as after a restore, so no sequence
    /// or receipt number is ever used twice. The first check of a store only records its file.
    /// Returns the new generation when it took one.
    ///
    /// # Errors
    /// Store errors.
    pub fn check_file_identity(&mut self) -> Result<Option<u32>> {
        let Some(now) = self.store().path().and_then(backup::file_identity) else {
            return Ok(None);
        };
        let recorded = self.setting(backup::keys::FILE_IDENTITY)?;
        let moved = recorded.as_deref().is_some_and(|r| r != now);
        let generation = if moved && self.setting("local_device")?.is_some() {
            Some(self.mark_put_back(
                "fichier de la base copié à la main (clé USB, autre disque) : nouvelle identité par prudence"
                    .to_owned(),
                0,
            )?)
        } else {
            None
        };
        if recorded.as_deref() != Some(now.as_str()) {
            self.set_setting(backup::keys::FILE_IDENTITY, &now)?;
        }
        Ok(generation)
    }

    /// [`Ledger::mark_restored`] for a store put back without a backup's manifest: `what`
    /// says how it was found.
    fn mark_put_back(&mut self, what: String, after: u32) -> Result<u32> {
        let manifest = BackupManifest {
            format: 0,
            made_at: String::new(),
            schema_version: 0,
            store_id: self.setting(backup::keys::STORE_ID)?.unwrap_or_default(),
            device: self.setting("local_device")?,
            generation: self.sync_generation()?,
            receipt_counters: std::collections::BTreeMap::new(),
            file: String::new(),
            bytes: 0,
            sha256: String::new(),
            encrypted: false,
        };
        self.mark_restored_after(&manifest, Path::new(&what), None, after)
    }

    /// The receipt number this store's own device will issue next (after a restore: the first
    /// of its new series).
    ///
    /// # Errors
    /// [`crate::AppError::NotInitialized`], store errors.
    pub fn next_receipt_number(&self) -> Result<String> {
        let device = self.local_actor()?.device;
        Ok(self.db().peek_next_receipt(device)?)
    }

    /// This store's sync generation (0 when never restored).
    ///
    /// # Errors
    /// Store errors.
    pub fn sync_generation(&self) -> Result<u32> {
        Ok(self
            .setting(backup::keys::SYNC_GENERATION)?
            .and_then(|g| g.parse().ok())
            .unwrap_or(0))
    }
}

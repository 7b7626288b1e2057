//! USB-stick exchange, both ends. A device writes a file for the hub and reads the hub's file
//! for it; the hub reads any enrolled device's file and writes one per device. Every file is
//! signed with the device's bundle key and merged with the same scope checks as HTTP.

use sene_app::sync::{Scope, SyncReport};
use sene_app::Ledger;
use sene_domain::DeviceId;
use sene_sync::bundle::Bundle;

use crate::client::keys;
use crate::{enroll, HubError};

fn device_key(ledger: &Ledger) -> Result<String, HubError> {
    ledger
        .setting(keys::BUNDLE_KEY)?
        .ok_or(HubError::Unauthorized(
            "cet appareil n'est pas enrôlé : pas de clé pour signer le fichier",
        ))
}

/// On a device: the file for the hub (what the hub may lack since the last agreed heads).
///
/// # Errors
/// Not enrolled, store and sync errors.
pub fn device_export(ledger: &mut Ledger) -> Result<Vec<u8>, HubError> {
    device_export_since(ledger, true)
}

/// On a device: the file for an office put back from a backup: every change this device
/// holds (its own, and the others' with their authors' tags), not only what came after the
/// heads last agreed with the office, which the office may have lost.
///
/// # Errors
/// As [`device_export`].
pub fn device_export_all(ledger: &mut Ledger) -> Result<Vec<u8>, HubError> {
    device_export_since(ledger, false)
}

fn device_export_since(ledger: &mut Ledger, since_agreed: bool) -> Result<Vec<u8>, HubError> {
    let key = device_key(ledger)?;
    // the device's audit proof travels signed in the file, as in an HTTP sync's first request
    let acked: i64 = ledger
        .setting(keys::AUDIT_ACKED)?
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let proof = crate::audit::proof(ledger, acked)?;
    Ok(ledger.usb_export_since(
        "hub",
        &Scope::Everything,
        key.as_bytes(),
        vec![(crate::audit::AUDIT_ITEM.to_owned(), proof.encode())],
        since_agreed,
    )?)
}

/// On a device: reads a file the hub made for it.
///
/// # Errors
/// Not enrolled, [`sene_sync::SyncError::Unauthentic`] for a forged or foreign file.
pub fn device_import(ledger: &mut Ledger, bytes: &[u8]) -> Result<SyncReport, HubError> {
    let key = device_key(ledger)?;
    let me = ledger.local_actor()?.device.to_string();
    let header = Bundle::peek(bytes)?;
    if header.to != me {
        return Err(HubError::Unauthorized(
            "ce fichier a été fait pour un autre appareil",
        ));
    }
    Ok(ledger.usb_import(bytes, key.as_bytes(), &Scope::Everything)?)
}

/// On the hub: reads a device's file, authenticated with that device's key, within its scope.
/// A revoked device's authentic file is kept in quarantine for the secretariat to review, and
/// nothing of it is merged.
///
/// # Errors
/// Unknown or unenrolled device; forged file; [`HubError::Quarantined`] for a revoked
/// device's file; sync errors.
pub fn hub_import(ledger: &mut Ledger, bytes: &[u8]) -> Result<SyncReport, HubError> {
    let header = Bundle::peek(bytes)?;
    let d = ledger
        .db()
        .hub_device(&header.from_device)?
        .ok_or(HubError::Unauthorized(
            "fichier d'un appareil inconnu du bureau",
        ))?;
    let key = d.bundle_key.clone().ok_or(HubError::Unauthorized(
        "fichier d'un appareil pas encore enrôlé",
    ))?;
    if enroll::revoked_at(&ledger.db(), &d)?.is_some() {
        // authentic (a forged file is refused like any other), then kept, never merged
        Bundle::decode(bytes, key.as_bytes())?;
        let now = ledger
            .now()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let (store, _, _) = ledger.parts()?;
        let (id, _) = store
            .write(|db| db.put_quarantine(&header.from_device, &now, &header.created_at, bytes))?;
        tracing::warn!(device = %header.from_device, id, "USB file of a revoked device quarantined");
        return Err(HubError::Quarantined { id });
    }
    // the device's audit proof, checked against the heads the hub holds (a history rewritten
    // on the laptop is flagged as after an HTTP sync)
    let bundle = Bundle::decode(bytes, key.as_bytes())?;
    let proofs: Vec<&Vec<u8>> = bundle
        .docs
        .items
        .iter()
        .filter(|(id, _)| id == crate::audit::AUDIT_ITEM)
        .map(|(_, b)| b)
        .collect();
    if proofs.len() > 1 {
        return Err(sene_sync::SyncError::Malformed("deux preuves d'historique".into()).into());
    }
    if let Some(p) = proofs.first() {
        let proof = crate::audit::Proof::decode(p)?;
        let now = ledger
            .now()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        crate::audit::check(ledger, &header.from_device, &proof, &now)?;
    }
    let scope = enroll::scope_of(ledger, &d)?;
    let office = crate::relay::Office::of(ledger)?;
    let tags = crate::relay::tags_of(&bundle.docs)?;
    Ok(crate::relay::with_relay(&office, &tags, |r| {
        ledger.usb_import_with(bytes, key.as_bytes(), &scope, Some(r))
    })?)
}

/// On the hub: the file for a device (everything in its scope it may lack).
///
/// # Errors
/// Unknown or unenrolled device, store and sync errors.
pub fn hub_export(ledger: &mut Ledger, device: DeviceId) -> Result<Vec<u8>, HubError> {
    let d = ledger
        .db()
        .hub_device(&device.to_string())?
        .ok_or(HubError::Unauthorized("appareil inconnu du bureau"))?;
    let key = d
        .bundle_key
        .clone()
        .ok_or(HubError::Unauthorized("appareil pas encore enrôlé"))?;
    let scope = enroll::scope_of(ledger, &d)?;
    Ok(ledger.usb_export(&device.to_string(), &scope, key.as_bytes())?)
}

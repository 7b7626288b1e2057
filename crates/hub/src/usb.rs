//! USB-stick exchange, both ends. A device writes a file for the hub and reads the hub's file
//! for it; the hub reads any enrolled device's file and writes one per device. Every file is
//! signed with the device's bundle key and merged with the same scope checks as HTTP.

use sene_app::sync::{Scope, SyncReport};
use sene_app::{AppError, Ledger};
use sene_domain::{DeviceId, Lang};
use sene_store::HubDevice;
use sene_sync::bundle::{Bundle, Header};
use sene_sync::{DocId, SyncError};

use crate::client::keys;
use crate::{enroll, HubError};

/// Why a USB file is refused before anything of it is merged, or a file cannot be made: said
/// in the reader's language at the form that read or wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsbRefusal {
    /// Not a Sene sync file at all (a photo, a spreadsheet…).
    NotSene,
    /// A Sene file cut short or damaged before its signature.
    Damaged,
    /// The signature does not match: altered, or signed by another device than it claims.
    Forged,
    /// A file from a device this office never registered (another union's laptop).
    UnknownDevice,
    /// A device registered here but never enrolled: it has no key to sign with.
    NotYetEnrolled,
    /// At the office: a file the office made for a laptop, not one a laptop made for it.
    NotForTheOffice,
    /// On a laptop: a file the office made for another laptop.
    NotForThisDevice,
    /// On a laptop not enrolled with the office: no key to sign or read a file.
    DeviceNotEnrolled,
    /// At the office: a file for a revoked laptop (nothing goes to it any more).
    Revoked,
    /// At the office: a file from the federation, which reads the union's documents and
    /// writes none.
    ReadOnly,
}

impl UsbRefusal {
    /// The message in `lang`.
    #[must_use]
    pub fn message(&self, lang: Lang) -> &'static str {
        let fr = lang == Lang::Fr;
        match self {
            UsbRefusal::NotSene if fr => "ce fichier n'est pas un fichier d'échange Sene : choisissez le fichier .sene écrit par le portable (Synchronisation → Clé USB → Exporter)",
            UsbRefusal::NotSene => "this file is not a Sene exchange file: choose the .sene file the laptop wrote (Sync → USB stick → Export)",
            UsbRefusal::Damaged if fr => "ce fichier Sene est tronqué ou abîmé : refaites l'export sur le portable et recopiez-le",
            UsbRefusal::Damaged => "this Sene file is cut short or damaged: export it again on the laptop and copy it again",
            UsbRefusal::Forged if fr => "la signature du fichier ne correspond pas (fichier altéré, ou d'un autre appareil) : rien n'a été importé",
            UsbRefusal::Forged => "the file's signature does not match (altered, or from another device): nothing was imported",
            UsbRefusal::UnknownDevice if fr => "ce fichier vient d'un appareil inconnu du bureau : rien n'a été importé",
            UsbRefusal::UnknownDevice => "this file comes from a device the office does not know: nothing was imported",
            UsbRefusal::NotYetEnrolled if fr => "ce portable n'a pas encore rejoint l'union avec son code d'appairage : il n'a pas de clé pour signer ses fichiers",
            UsbRefusal::NotYetEnrolled => "this laptop has not joined the union with its pairing code yet: it has no key to sign its files",
            UsbRefusal::NotForTheOffice if fr => "ce fichier a été fait par le bureau pour un portable : c'est sur ce portable qu'il s'importe",
            UsbRefusal::NotForTheOffice => "this file was made by the office for a laptop: import it on that laptop",
            UsbRefusal::NotForThisDevice if fr => "ce fichier a été fait pour un autre appareil",
            UsbRefusal::NotForThisDevice => "this file was made for another device",
            UsbRefusal::DeviceNotEnrolled if fr => "cet appareil n'est pas enrôlé : pas de clé pour signer le fichier",
            UsbRefusal::DeviceNotEnrolled => "this device is not enrolled: no key to sign the file",
            UsbRefusal::Revoked if fr => "ce portable est révoqué : le bureau ne lui envoie plus rien",
            UsbRefusal::Revoked => "this laptop is revoked: the office sends it nothing any more",
            UsbRefusal::ReadOnly if fr => "ce fichier vient de la fédération, qui lit les documents de l'union et n'en écrit aucun : rien n'a été importé",
            UsbRefusal::ReadOnly => "this file comes from the federation, which reads the union's documents and writes none: nothing was imported",
        }
    }

    /// A stable code (`sync_unauthentic` for a forged file, as the CLI has always said).
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            UsbRefusal::NotSene => "not_a_sene_file",
            UsbRefusal::Damaged => "sync_error",
            UsbRefusal::Forged => "sync_unauthentic",
            _ => "unauthorized",
        }
    }
}

impl From<UsbRefusal> for HubError {
    fn from(r: UsbRefusal) -> Self {
        match r {
            UsbRefusal::NotSene | UsbRefusal::Damaged => {
                SyncError::Malformed(r.message(Lang::Fr).into()).into()
            }
            UsbRefusal::Forged => SyncError::Unauthentic(r.message(Lang::Fr).into()).into(),
            _ => HubError::Unauthorized(r.message(Lang::Fr)),
        }
    }
}

/// The sender of a file, read before anything is merged.
fn peek(bytes: &[u8]) -> Result<Header, UsbRefusal> {
    Bundle::peek(bytes).map_err(|_| {
        if bytes.starts_with(b"SENEUSB") {
            UsbRefusal::Damaged
        } else {
            UsbRefusal::NotSene
        }
    })
}

fn device_key(ledger: &Ledger) -> Result<String, HubError> {
    Ok(ledger
        .setting(keys::BUNDLE_KEY)?
        .ok_or(UsbRefusal::DeviceNotEnrolled)?)
}

/// On a device: whether it can write and read USB files (enrolled with an office: it holds
/// the key that signs them).
///
/// # Errors
/// Store errors.
pub fn device_ready(ledger: &Ledger) -> Result<Result<(), UsbRefusal>, HubError> {
    Ok(match ledger.setting(keys::BUNDLE_KEY)? {
        Some(_) => Ok(()),
        None => Err(UsbRefusal::DeviceNotEnrolled),
    })
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
    let items = crate::client::proof_items(ledger, &proof)?;
    Ok(ledger.usb_export_since(
        "hub",
        &Scope::Everything,
        key.as_bytes(),
        items,
        since_agreed,
    )?)
}

/// On a device: checks a file before reading it (enrolled here, a Sene file the office made
/// for this device, its signature good), without merging anything.
///
/// # Errors
/// Store errors (outer); the refusal (inner).
pub fn device_check(ledger: &Ledger, bytes: &[u8]) -> Result<Result<(), UsbRefusal>, HubError> {
    let Some(key) = ledger.setting(keys::BUNDLE_KEY)? else {
        return Ok(Err(UsbRefusal::DeviceNotEnrolled));
    };
    let header = match peek(bytes) {
        Ok(h) => h,
        Err(r) => return Ok(Err(r)),
    };
    if header.to != ledger.local_actor()?.device.to_string() {
        return Ok(Err(UsbRefusal::NotForThisDevice));
    }
    Ok(match Bundle::decode(bytes, key.as_bytes()) {
        Ok(_) => Ok(()),
        Err(SyncError::Unauthentic(_)) => Err(UsbRefusal::Forged),
        Err(_) => Err(UsbRefusal::Damaged),
    })
}

/// On a device: reads a file the hub made for it.
///
/// # Errors
/// Not enrolled, [`sene_sync::SyncError::Unauthentic`] for a forged or foreign file.
pub fn device_import(ledger: &mut Ledger, bytes: &[u8]) -> Result<SyncReport, HubError> {
    let key = device_key(ledger)?;
    let me = ledger.local_actor()?.device.to_string();
    let header = peek(bytes)?;
    if header.to != me {
        return Err(UsbRefusal::NotForThisDevice.into());
    }
    // the hub holds more of this device's history than it does: it was put back from an older
    // copy of itself, and takes a new identity before it writes anything (see `crate::audit`)
    let bundle = Bundle::decode(bytes, key.as_bytes())?;
    if let Some((_, b)) = bundle
        .docs
        .items
        .iter()
        .find(|(id, _)| id == crate::audit::KNOWN_ITEM)
    {
        let known = i64::from_le_bytes(b.as_slice().try_into().map_err(|_| {
            sene_sync::SyncError::Malformed("historique connu du bureau illisible".into())
        })?);
        let (mine, _) = ledger.db().audit_chain(None)?;
        if known > mine {
            let floor = ledger
                .setting(crate::client::keys::ENROLLED_GENERATION)?
                .and_then(|g| g.parse().ok())
                .unwrap_or(0);
            ledger.mark_rewound(known, floor)?;
        }
    }
    Ok(ledger.usb_import(bytes, key.as_bytes(), &Scope::Everything)?)
}

/// A device's file as the office sees it before merging anything: its sender, known and
/// enrolled here, its signature good.
#[derive(Debug, Clone)]
pub struct OfficeFile {
    pub header: Header,
    pub device: HubDevice,
    /// When the device was revoked: its file is kept for review, never merged.
    pub revoked_at: Option<String>,
}

/// On the hub: checks a device's file (a Sene file made for the office, by a device enrolled
/// here, signed with its key) and says who sent it, without merging anything. The refusal says
/// why in the reader's language.
///
/// # Errors
/// Store errors (outer); the refusal (inner).
pub fn office_check(
    ledger: &Ledger,
    bytes: &[u8],
) -> Result<Result<OfficeFile, UsbRefusal>, HubError> {
    let header = match peek(bytes) {
        Ok(h) => h,
        Err(r) => return Ok(Err(r)),
    };
    if header.to != "hub" {
        return Ok(Err(UsbRefusal::NotForTheOffice));
    }
    let db = ledger.db();
    let Some(device) = db.hub_device(&header.from_device)? else {
        return Ok(Err(UsbRefusal::UnknownDevice));
    };
    let Some(key) = device.bundle_key.clone() else {
        return Ok(Err(UsbRefusal::NotYetEnrolled));
    };
    match Bundle::decode(bytes, key.as_bytes()) {
        Ok(_) => {}
        Err(SyncError::Unauthentic(_)) => return Ok(Err(UsbRefusal::Forged)),
        Err(_) => return Ok(Err(UsbRefusal::Damaged)),
    }
    if enroll::is_federation(&device) {
        return Ok(Err(UsbRefusal::ReadOnly));
    }
    let revoked_at = enroll::revoked_at(&db, &device)?;
    Ok(Ok(OfficeFile {
        header,
        device,
        revoked_at,
    }))
}

/// On the hub: reads a device's file, authenticated with that device's key, within its scope.
/// A revoked device's authentic file is kept in quarantine for the secretariat to review, and
/// nothing of it is merged. The device's last exchange with the office is noted, as after an
/// HTTP sync.
///
/// # Errors
/// Unknown or unenrolled device; forged file; [`HubError::Quarantined`] for a revoked
/// device's file; sync errors.
pub fn hub_import(ledger: &mut Ledger, bytes: &[u8]) -> Result<SyncReport, HubError> {
    let OfficeFile {
        header,
        device: d,
        revoked_at,
    } = office_check(ledger, bytes)??;
    let key = d.bundle_key.clone().ok_or(UsbRefusal::NotYetEnrolled)?;
    if revoked_at.is_some() {
        // authentic (checked above), then kept, never merged
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
    let items = |name: &str| -> Vec<&Vec<u8>> {
        bundle
            .docs
            .items
            .iter()
            .filter(|(id, _)| id == name)
            .map(|(_, b)| b)
            .collect()
    };
    let proofs = items(crate::audit::AUDIT_ITEM);
    let declared = items(crate::audit::RESTORED_ITEM);
    if proofs.len() > 1 || declared.len() > 1 {
        return Err(sene_sync::SyncError::Malformed("deux preuves d'historique".into()).into());
    }
    if let Some(p) = proofs.first() {
        let proof = crate::audit::Proof::decode(p)?;
        let declared = declared
            .first()
            .map(|g| crate::audit::decode_generation(g))
            .transpose()?;
        let now = ledger
            .now()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        crate::audit::admit(ledger, &header.from_device, &proof, declared, &now)?;
    }
    let scope = enroll::scope_of(ledger, &d)?;
    let office = crate::relay::Office::of(ledger)?;
    let tags = crate::relay::tags_of(&bundle.docs)?;
    let report = crate::relay::with_relay(&office, &tags, |r| {
        ledger.usb_import_with(bytes, key.as_bytes(), &scope, Some(r))
    })?;
    // when the device last exchanged with the office, as an HTTP sync notes it
    let at = ledger
        .now()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let (store, _, _) = ledger.parts()?;
    store.write(|db| db.hub_touch(&d.device_id, &at))?;
    Ok(report)
}

/// On the hub: whether a file can be made for `device` (registered here, enrolled, not
/// revoked), and its enrollment.
///
/// # Errors
/// Store errors (outer); the refusal (inner).
pub fn office_export_check(
    ledger: &Ledger,
    device: DeviceId,
) -> Result<Result<HubDevice, UsbRefusal>, HubError> {
    let db = ledger.db();
    let Some(d) = db.hub_device(&device.to_string())? else {
        return Ok(Err(UsbRefusal::UnknownDevice));
    };
    if d.bundle_key.is_none() {
        return Ok(Err(UsbRefusal::NotYetEnrolled));
    }
    if enroll::revoked_at(&db, &d)?.is_some() {
        return Ok(Err(UsbRefusal::Revoked));
    }
    Ok(Ok(d))
}

/// On the hub: the file for a device (everything in its scope it may lack). None for a
/// revoked device, as its syncs are refused.
///
/// # Errors
/// Unknown or unenrolled device, store and sync errors.
pub fn hub_export(ledger: &mut Ledger, device: DeviceId) -> Result<Vec<u8>, HubError> {
    let d = office_export_check(ledger, device)??;
    let key = d.bundle_key.clone().ok_or(UsbRefusal::NotYetEnrolled)?;
    let scope = enroll::scope_of(ledger, &d)?;
    // what the hub holds of the device's history: a device put back from an older copy of
    // itself learns it from this file (see `device_import`)
    let known = ledger.db().audit_head_max(&device.to_string())?;
    let items = vec![(
        crate::audit::KNOWN_ITEM.to_owned(),
        known.to_le_bytes().to_vec(),
    )];
    Ok(ledger.usb_export_with(&device.to_string(), &scope, key.as_bytes(), items)?)
}

/// What the office knows of one device it registered, for the secretariat's sync screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceState {
    pub device_id: String,
    pub agent_id: String,
    /// The cooperatives it serves (ids; none for a federation).
    pub cooperatives: Vec<String>,
    /// A federation's pairing: it reads every document of the union and writes none.
    pub federation: bool,
    /// Enrolled (it joined with its code), and when.
    pub enrolled_at: Option<String>,
    pub revoked_at: Option<String>,
    /// Its last exchange with the office: an HTTP sync, or a USB file of it read here.
    pub last_sync_at: Option<String>,
    /// What it lacks: `None` for a device not enrolled or revoked (nothing goes to it).
    pub lacks: Option<Lacks>,
}

/// What a device lacks, as the office's file for it (or its next sync) would carry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lacks {
    /// Changes of others (the office's, other laptops') in its scope that were not sent to it.
    pub changes: usize,
    /// The documents (a cooperative's registry, a campaign's season…) they belong to.
    pub docs: usize,
    /// Changes of others sent in the answer to its last HTTP sync, which its next sync
    /// confirms (a laptop does not spend a round trip saying it received them): not counted in
    /// `changes`, but a USB file for it still carries them (an answer lost on a cut link).
    pub sent: usize,
}

/// On the hub: what `d` lacks in `scope` since the heads last agreed with it (its last HTTP
/// sync), its own changes not counted (it holds them; a USB file of it read here brings them
/// without saying what else it holds), what its last sync's answer carried apart. A file
/// carried to it is counted until it syncs.
fn lacks(ledger: &mut Ledger, d: &HubDevice, scope: &Scope) -> Result<Lacks, HubError> {
    let (store, engine, _) = ledger.parts()?;
    let envs = store.write(|db| {
        let mut ids: Vec<DocId> = db
            .doc_ids()?
            .iter()
            .filter_map(|s| s.parse().ok())
            .filter(|doc| scope.reads(doc))
            .collect();
        ids.sort_by_key(|doc| (doc.rank(), doc.to_string()));
        let agreed = engine.export_changes_since(db, Some(&d.device_id), &ids)?;
        let unsent = engine.export_unsent(db, &d.device_id, &ids)?;
        Ok::<_, AppError>((agreed, unsent))
    });
    let (agreed, unsent) = match envs {
        Ok(e) => e,
        Err(e) => {
            engine.invalidate();
            return Err(e.into());
        }
    };
    let others = |env: &sene_sync::wire::Envelope| {
        env.items
            .iter()
            .map(|(_, item)| {
                sene_sync::relay::changes_in(item)
                    .iter()
                    .filter(|(_, author)| *author != d.device_id)
                    .count()
            })
            .collect::<Vec<usize>>()
    };
    let mut out = Lacks::default();
    for n in others(&unsent) {
        if n > 0 {
            out.changes += n;
            out.docs += 1;
        }
    }
    let since_agreed: usize = others(&agreed).iter().sum();
    out.sent = since_agreed.saturating_sub(out.changes);
    Ok(out)
}

/// On the hub: every device it registered, with its last exchange and what it lacks.
///
/// # Errors
/// Store and sync errors.
pub fn office_devices(ledger: &mut Ledger) -> Result<Vec<DeviceState>, HubError> {
    let devices = ledger.db().hub_devices()?;
    let mut out = Vec::with_capacity(devices.len());
    for d in devices {
        let revoked_at = enroll::revoked_at(&ledger.db(), &d)?;
        let lacks = if d.bundle_key.is_some() && revoked_at.is_none() {
            let scope = enroll::scope_of(ledger, &d)?;
            Some(lacks(ledger, &d, &scope)?)
        } else {
            None
        };
        let federation = enroll::is_federation(&d);
        out.push(DeviceState {
            cooperatives: d
                .cooperatives
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty() && !federation)
                .map(str::to_owned)
                .collect(),
            federation,
            device_id: d.device_id,
            agent_id: d.agent_id,
            enrolled_at: d.enrolled_at,
            revoked_at,
            last_sync_at: d.last_sync_at,
            lacks,
        });
    }
    Ok(out)
}

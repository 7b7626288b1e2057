//! Enrollment: the secretariat pairs a registered device with a one-time code; the device
//! trades the code for its sync token (kept only as a hash here) and its bundle key.

use chrono::{Duration, SecondsFormat};
use sene_app::sync::Scope;
use sene_app::{AppError, Ledger};
use sene_domain::{AgentId, CooperativeId, DeviceId, Role};
use sene_store::HubDevice;
use serde::{Deserialize, Serialize};

use crate::secret;
use crate::HubError;

/// What the secretariat hands to the agent (the code, shown once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pairing {
    pub device_id: DeviceId,
    pub agent_id: AgentId,
    pub code: String,
    pub expires: String,
}

/// What a device receives in exchange for its code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolled {
    pub device_id: DeviceId,
    pub agent_id: AgentId,
    pub token: String,
    pub bundle_key: String,
    pub union: String,
    /// The newest sync generation the hub accepted from this device (0 for a first
    /// enrolment): a store enrolling again as a device that already synced (a reinstalled
    /// laptop) takes its new identity and receipt series after it, even when it learns by USB
    /// file that it went back.
    #[serde(default)]
    pub generation: u32,
}

/// The request of a device enrolling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollRequest {
    pub device_id: DeviceId,
    pub code: String,
}

fn now(l: &Ledger) -> String {
    l.now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Pairs a device registered in the union with its agent and cooperatives; returns the
/// one-time code (valid 7 days). Pairing again replaces the previous code and token.
///
/// # Errors
/// Unknown device, agent or cooperative.
pub fn pair(
    ledger: &mut Ledger,
    device: DeviceId,
    agent: AgentId,
    cooperatives: &[CooperativeId],
) -> Result<Pairing, HubError> {
    let db = ledger.db();
    db.device(device)?.ok_or_else(|| AppError::NotFound {
        kind: "appareil",
        id: device.to_string(),
    })?;
    db.agent(agent)?.ok_or_else(|| AppError::NotFound {
        kind: "agent",
        id: agent.to_string(),
    })?;
    for c in cooperatives {
        db.cooperative(*c)?.ok_or_else(|| AppError::NotFound {
            kind: "coopérative",
            id: c.to_string(),
        })?;
    }
    let cooperatives = cooperatives
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",");
    write_pairing(ledger, device, agent, cooperatives)
}

/// The pairing of `device` with `agent` and `cooperatives` (ids, or [`FEDERATION`]): a new
/// one-time code, valid 7 days, replacing any previous code and token.
fn write_pairing(
    ledger: &mut Ledger,
    device: DeviceId,
    agent: AgentId,
    cooperatives: String,
) -> Result<Pairing, HubError> {
    let code = secret::pairing_code();
    let expires = (ledger.now() + Duration::days(7)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let (store, _, _) = ledger.parts()?;
    store.write(|db| {
        db.hub_pair(&HubDevice {
            device_id: device.to_string(),
            agent_id: agent.to_string(),
            cooperatives,
            pairing_hash: Some(secret::hash(&code)),
            pairing_expires: Some(expires.clone()),
            token_hash: None,
            bundle_key: None,
            enrolled_at: None,
            revoked_at: None,
            last_sync_at: None,
        })
    })?;
    Ok(Pairing {
        device_id: device,
        agent_id: agent,
        code,
        expires,
    })
}

/// What a federation's pairing holds in place of its cooperatives: it reads every document of
/// the union, each cooperative's (those added later too) and the union's, and writes none
/// ([`Scope::Federation`]).
pub const FEDERATION: &str = "*";

/// Whether `d` is a federation's pairing (see [`FEDERATION`]).
#[must_use]
pub fn is_federation(d: &HubDevice) -> bool {
    d.cooperatives == FEDERATION
}

/// Pairs a federation of unions with the union, like a device: `device` is registered in the
/// union (its label names the federation), and its agent is the one of its previous pairing
/// as a federation, or a new agent in read-only role named as the device. Returns the
/// one-time code (valid 7 days) the federation trades for its token: with it, the federation
/// reads every document of the union and writes none. Revoked as any device
/// ([`revoke`]).
///
/// # Errors
/// Unknown device; store errors.
pub fn pair_federation(ledger: &mut Ledger, device: DeviceId) -> Result<Pairing, HubError> {
    let (dv, previous) = {
        let db = ledger.db();
        let dv = db.device(device)?.ok_or_else(|| AppError::NotFound {
            kind: "appareil",
            id: device.to_string(),
        })?;
        let previous = db
            .hub_device(&device.to_string())?
            .filter(is_federation)
            .and_then(|d| d.agent_id.parse::<AgentId>().ok())
            .map(|a| db.agent(a))
            .transpose()?
            .flatten()
            .filter(|a| a.role == Role::ReadOnly);
        (dv, previous)
    };
    let agent = match previous {
        Some(a) => a.id,
        None => {
            let office = ledger.local_actor()?;
            ledger
                .run(&office, |tx| {
                    tx.add_agent(sene_app::org::NewAgent {
                        id: None,
                        name: dv.label.clone(),
                        phone: None,
                        role: Role::ReadOnly,
                        cooperatives: Vec::new(),
                    })
                })?
                .id
        }
    };
    write_pairing(ledger, device, agent, FEDERATION.to_owned())
}

/// Trades a pairing code for a token and a bundle key.
///
/// # Errors
/// [`HubError::Unauthorized`] for an unknown device, a wrong, spent or expired code.
pub fn enroll(ledger: &mut Ledger, req: &EnrollRequest) -> Result<Enrolled, HubError> {
    let at = now(ledger);
    let union = ledger.union()?.name;
    let d = ledger
        .db()
        .hub_device(&req.device_id.to_string())?
        .ok_or(HubError::Unauthorized(
            "appareil inconnu du bureau de l'union : demandez un code d'appairage au secrétariat",
        ))?;
    let ok = d.pairing_hash.as_deref() == Some(secret::hash(&req.code).as_str())
        && d.pairing_expires
            .as_deref()
            .is_some_and(|e| e >= at.as_str());
    if !ok {
        return Err(HubError::Unauthorized(
            "code d'appairage faux, déjà utilisé ou expiré",
        ));
    }
    let token = secret::token();
    let bundle_key = secret::token();
    let (store, _, _) = ledger.parts()?;
    // the store enrolling may be a new one (a reinstalled laptop): what the hub agreed with
    // the device's previous store is forgotten, so its first exchange or file brings it
    // everything in its scope
    store.write(|db| {
        db.hub_enroll(&d.device_id, &secret::hash(&token), &bundle_key, &at)?;
        db.forget_sync_states(&d.device_id)
    })?;
    ledger.sync_reset(&d.device_id)?;
    Ok(Enrolled {
        device_id: req.device_id,
        agent_id: d
            .agent_id
            .parse()
            .map_err(|_| HubError::Unauthorized("agent invalide"))?,
        token,
        bundle_key,
        union,
        generation: crate::audit::accepted_generation(&ledger.db(), &d.device_id)?,
    })
}

/// Revokes a device: its next sync is refused.
///
/// # Errors
/// Unknown device.
pub fn revoke(ledger: &mut Ledger, device: DeviceId) -> Result<bool, HubError> {
    let at = now(ledger);
    if ledger.db().hub_device(&device.to_string())?.is_none() {
        return Err(AppError::NotFound {
            kind: "appareil",
            id: device.to_string(),
        }
        .into());
    }
    // in the union document too: every laptop holds it, and an office put back from a backup
    // older than the revocation gets it back with the laptops' next sync
    let office = ledger.local_actor()?;
    ledger.run(&office, |tx| tx.revoke_device(device))?;
    let (store, _, _) = ledger.parts()?;
    Ok(store.write(|db| db.hub_revoke(&device.to_string(), &at))?)
}

/// When `d` was revoked: by the hub's own record of its token, or by the union document (a
/// revocation the hub's store lost with a restore, brought back by the laptops).
///
/// # Errors
/// Store errors.
pub fn revoked_at(db: &sene_store::Db<'_>, d: &HubDevice) -> Result<Option<String>, HubError> {
    if d.revoked_at.is_some() {
        return Ok(d.revoked_at.clone());
    }
    Ok(db.device_revoked_at(&d.device_id)?)
}

/// The device holding a token, with its scope.
///
/// # Errors
/// [`HubError::Unauthorized`] for an unknown or revoked token.
pub fn authenticate(ledger: &Ledger, token: &str) -> Result<(HubDevice, Scope), HubError> {
    let d = ledger
        .db()
        .hub_device_by_token(&secret::hash(token))?
        .ok_or(HubError::Unauthorized(
            "jeton inconnu : enrôlez l'appareil auprès du bureau de l'union",
        ))?;
    if revoked_at(&ledger.db(), &d)?.is_some() {
        return Err(HubError::Unauthorized(
            "cet appareil a été révoqué par le secrétariat",
        ));
    }
    let scope = scope_of(ledger, &d)?;
    Ok((d, scope))
}

/// The scope of an enrolled device.
///
/// # Errors
/// Unknown agent.
pub fn scope_of(ledger: &Ledger, d: &HubDevice) -> Result<Scope, HubError> {
    scope_of_db(&ledger.db(), d)
}

/// [`scope_of`], read from a store.
///
/// # Errors
/// Unknown agent.
pub fn scope_of_db(db: &sene_store::Db<'_>, d: &HubDevice) -> Result<Scope, HubError> {
    let agent: AgentId = d
        .agent_id
        .parse()
        .map_err(|_| HubError::Unauthorized("agent invalide"))?;
    let device: DeviceId = d
        .device_id
        .parse()
        .map_err(|_| HubError::Unauthorized("appareil invalide"))?;
    if is_federation(d) {
        return Ok(Scope::Federation { device });
    }
    let role = db.agent(agent)?.map_or(Role::ReadOnly, |a| a.role);
    Ok(Scope::Device {
        device,
        agent,
        role,
        cooperatives: d
            .cooperatives
            .split(',')
            .filter(|s| !s.is_empty())
            .filter_map(|s| s.parse().ok())
            .collect(),
    })
}

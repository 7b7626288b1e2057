//! What a sync brings to the office: the demo's conflict queue (a member registered again on a
//! spare tablet, merged into the office's store the way a sync would).

use sene_domain::*;

use crate::org::{NewDevice, NewMember};
use crate::{Actor, AppError, Ledger, Result};

/// Gives the demo union what the secretariat meets after a sync: the field agent of the last
/// cooperative took a spare tablet to the villages and, offline, registered again a member
/// already registered on the agent's laptop. The tablet is a real second device: a replica in
/// memory, enrolled and synced with this store through the same merge as the hub's, so the
/// member registered twice reaches the conflict queue the way it would in the field (a probable
/// duplicate, `(doublon probable)`). Returns the number of open conflicts afterwards.
///
/// Run after [`load_demo`](super::load_demo) (the desktop's demo does); the tests of the demo
/// itself do without.
///
/// # Errors
/// No demo union in the store, sync and store errors.
pub fn office_inbox(ledger: &mut Ledger) -> Result<u32> {
    use crate::sync::Scope;

    let sec = ledger.local_actor()?;
    let (coop, agent, original) = {
        let db = ledger.db();
        let mut coops = db.cooperatives()?;
        coops.sort_by(|a, b| a.code.cmp(&b.code));
        let coop = coops
            .pop()
            .ok_or_else(|| AppError::Mismatch("démo : aucune coopérative".into()))?;
        let mut agent = None;
        for id in db.agent_ids()? {
            if let Some(a) = db.agent(id)? {
                if a.role == Role::FieldAgent && a.cooperatives.contains(&coop.id) {
                    agent = Some(a);
                }
            }
        }
        let agent = agent.ok_or_else(|| {
            AppError::Mismatch(format!("démo : aucun agent ne suit {}", coop.code))
        })?;
        let mut members = db.members(Some(coop.id))?;
        members.sort_by(|a, b| a.number.cmp(&b.number));
        let original = members
            .pop()
            .ok_or_else(|| AppError::Mismatch(format!("démo : {} n'a aucun membre", coop.code)))?;
        (coop, agent, original)
    };
    let tablet = ledger.run(&sec, |tx| {
        tx.add_device(NewDevice {
            id: None,
            label: format!("Tablette de secours ({})", agent.name),
            receipt_prefix: "TAB1".into(),
        })
    })?;
    let actor = Actor {
        agent: agent.id,
        device: tablet.id,
    };
    let scope = Scope::Device {
        device: tablet.id,
        agent: agent.id,
        role: agent.role,
        cooperatives: agent.cooperatives.clone(),
    };
    let mut replica = Ledger::with_clock(
        sene_store::Store::open_in_memory()?,
        Box::new(crate::FixedClock::new(ledger.now())),
    );
    replica.join(&actor)?;
    let peer = tablet.id.to_string();
    exchange(ledger, &mut replica, &peer, &scope)?;
    replica.run(&actor, |tx| {
        tx.register_member(
            NewMember {
                id: None,
                cooperative_id: coop.id,
                number: format!("{}-9001", coop.code),
                full_name: original.full_name.clone(),
                sex: original.sex,
                birth_year: original.birth_year,
                village: original.village.clone(),
                phone: original.phone.clone(),
                nina: None,
                crops: original.crops.clone(),
            },
            true,
        )
    })?;
    exchange(ledger, &mut replica, &peer, &scope)?;
    Ok(u32::try_from(ledger.conflicts(true)?.len()).unwrap_or(u32::MAX))
}

/// The client's loop without HTTP (`office` plays the hub): until neither side has anything to
/// say. Refusals are errors here: the demo's tablet writes only what its scope allows.
fn exchange(
    office: &mut Ledger,
    device: &mut Ledger,
    peer: &str,
    scope: &crate::sync::Scope,
) -> Result<()> {
    use crate::sync::Scope;
    device.sync_reset("hub")?;
    office.sync_reset(peer)?;
    for _ in 0..8 {
        let up = device.sync_outgoing("hub", &Scope::Everything)?;
        let (report, down) = office.sync_exchange(peer, &up, scope)?;
        let pulled = device.sync_incoming("hub", &down, &Scope::Everything)?;
        if let Some(r) = report.refused.first().or_else(|| pulled.refused.first()) {
            return Err(AppError::Mismatch(format!(
                "démo : synchronisation refusée : {r:?}"
            )));
        }
        if up.items.is_empty() && down.items.is_empty() {
            return Ok(());
        }
    }
    Err(AppError::Mismatch(
        "démo : pas d'accord après 8 échanges".into(),
    ))
}

//! Property tests of the merge rule ([`sene_domain::merges::Merges`]): whatever merges two
//! offices decided, in whatever order a device received them, every device reads the same
//! registration for every member, no chain loops, and a registration counted under another is
//! never itself the one others count under.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use sene_domain::merges::Merges;
use sene_domain::*;

const MEMBERS: usize = 6;

fn ids() -> Vec<MemberId> {
    (0..MEMBERS)
        .map(|i| MemberId::from_uuid(uuid_of(i as u128 + 1)))
        .collect()
}

fn uuid_of(n: u128) -> uuid::Uuid {
    uuid::Uuid::from_u128(n)
}

/// Merge and distinct decisions between the members, each with its own (ordered) id.
fn decisions() -> impl Strategy<Value = Vec<(usize, usize, bool)>> {
    prop::collection::vec((0..MEMBERS, 0..MEMBERS, any::<bool>()), 0..12)
}

fn records(d: &[(usize, usize, bool)]) -> Vec<MemberMerge> {
    let m = ids();
    d.iter()
        .enumerate()
        .map(|(i, (kept, merged, distinct))| MemberMerge {
            id: MemberMergeId::from_uuid(uuid_of(1_000 + i as u128)),
            kind: if *distinct {
                MergeKind::Distinct
            } else {
                MergeKind::Merge
            },
            kept: m[*kept],
            merged: m[*merged],
            reason: "même personne".into(),
            agent_id: AgentId::from_uuid(uuid_of(7)),
            device_id: DeviceId::from_uuid(uuid_of(8)),
            at: chrono::DateTime::UNIX_EPOCH,
        })
        .collect()
}

proptest! {
    /// The order the records arrive in changes nothing (every device reads the same).
    #[test]
    fn the_order_of_arrival_changes_nothing(d in decisions(), seed in any::<u64>()) {
        let recs = records(&d);
        let mut shuffled = recs.clone();
        // a deterministic shuffle from the seed
        let mut s = seed;
        for i in (1..shuffled.len()).rev() {
            s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let j = usize::try_from(s >> 33).unwrap() % (i + 1);
            shuffled.swap(i, j);
        }
        // and a record received twice
        if let Some(first) = recs.first() {
            shuffled.push(first.clone());
        }
        prop_assert_eq!(Merges::new(&recs), Merges::new(&shuffled));
    }

    /// Following the merges ends on a registration that is not absorbed; following again
    /// changes nothing; every member of a group reads the group's head.
    #[test]
    fn every_chain_ends_and_is_idempotent(d in decisions()) {
        let m = Merges::new(&records(&d));
        for id in ids() {
            let head = m.canonical(id);
            prop_assert!(!m.is_absorbed(head));
            prop_assert_eq!(m.canonical(head), head);
            let group = m.group(id);
            prop_assert_eq!(group[0], head);
            for g in &group {
                prop_assert_eq!(m.canonical(*g), head);
                prop_assert!(m.settled(*g, id));
            }
        }
    }

    /// A merge in force absorbs exactly its merged registration into its kept one's group, and
    /// no registration is lost: every member counts under exactly one head.
    #[test]
    fn merges_in_force_are_what_the_groups_say(d in decisions()) {
        let recs = records(&d);
        let m = Merges::new(&recs);
        for r in recs.iter().filter(|r| r.kind == MergeKind::Merge && m.in_force(r.id)) {
            prop_assert_eq!(m.canonical(r.merged), m.canonical(r.kept));
            prop_assert!(m.is_absorbed(r.merged));
        }
        let mut counted = 0;
        for id in ids() {
            if !m.is_absorbed(id) {
                counted += m.group(id).len();
            }
        }
        prop_assert_eq!(counted, MEMBERS);
        // distinct decisions alone absorb nothing
        let only_distinct: Vec<MemberMerge> =
            recs.iter().filter(|r| r.kind == MergeKind::Distinct).cloned().collect();
        prop_assert!(Merges::new(&only_distinct).is_empty());
    }
}

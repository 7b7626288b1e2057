//! Which registration a member's records count under, once two registrations of one person
//! were merged ([`MemberMerge`] records, synced; nothing is rewritten).
//!
//! The rule, the same on every device whatever order the records arrived in: the merge
//! records are taken in id order (UUIDv7: the order they were made); a merge counts unless
//! the registration it would absorb is already absorbed by an earlier one, or its kept
//! registration already counts under the one it would absorb (two offices merging A into B and
//! B into A offline: the earlier decision stands). Every registration then counts under the end
//! of its chain, which is never itself absorbed. A distinct decision ("two people") absorbs
//! nothing; it marks the pair as settled.

use std::collections::{BTreeMap, BTreeSet};

use crate::ids::{MemberId, MemberMergeId};
use crate::records::{MemberMerge, MergeKind};

/// The merges in force, read from every [`MemberMerge`] record a device holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Merges {
    /// Absorbed registration → the registration it was merged into (one step).
    into: BTreeMap<MemberId, MemberId>,
    /// Pairs declared two people (smaller id first).
    distinct: BTreeSet<(MemberId, MemberId)>,
    /// Merge records that do not count (superseded by an earlier one).
    superseded: BTreeSet<MemberMergeId>,
}

fn pair(a: MemberId, b: MemberId) -> (MemberId, MemberId) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

impl Merges {
    /// The merges in force among `records` (any order, duplicates allowed).
    #[must_use]
    pub fn new<'a>(records: impl IntoIterator<Item = &'a MemberMerge>) -> Merges {
        let mut sorted: Vec<&MemberMerge> = records.into_iter().collect();
        sorted.sort_by_key(|m| m.id);
        sorted.dedup_by_key(|m| m.id);
        let mut out = Merges::default();
        for m in sorted {
            match m.kind {
                MergeKind::Distinct => {
                    if m.kept != m.merged {
                        out.distinct.insert(pair(m.kept, m.merged));
                    }
                }
                MergeKind::Merge => {
                    let absorbed_already = out.into.contains_key(&m.merged);
                    if m.kept == m.merged || absorbed_already || out.canonical(m.kept) == m.merged {
                        out.superseded.insert(m.id);
                    } else {
                        out.into.insert(m.merged, m.kept);
                    }
                }
            }
        }
        out
    }

    /// The registration `id`'s records count under: `id` itself unless it was merged.
    #[must_use]
    pub fn canonical(&self, id: MemberId) -> MemberId {
        let mut at = id;
        // a chain is at most as long as the merges in force: no cycle by construction
        for _ in 0..=self.into.len() {
            match self.into.get(&at) {
                Some(next) => at = *next,
                None => return at,
            }
        }
        at
    }

    /// Whether `id` was merged into another registration (it is then not listed on its own).
    #[must_use]
    pub fn is_absorbed(&self, id: MemberId) -> bool {
        self.into.contains_key(&id)
    }

    /// The registrations counted under `id`'s canonical one, that one first, the others in id
    /// order.
    #[must_use]
    pub fn group(&self, id: MemberId) -> Vec<MemberId> {
        let head = self.canonical(id);
        let mut out = vec![head];
        out.extend(
            self.into
                .keys()
                .copied()
                .filter(|m| *m != head && self.canonical(*m) == head),
        );
        out
    }

    /// Whether the secretariat already decided about this pair: merged (one counts under the
    /// other's registration) or declared two people.
    #[must_use]
    pub fn settled(&self, a: MemberId, b: MemberId) -> bool {
        self.canonical(a) == self.canonical(b) || self.distinct.contains(&pair(a, b))
    }

    /// Whether this merge record counts (a later one that would undo or repeat an earlier one
    /// does not).
    #[must_use]
    pub fn in_force(&self, id: MemberMergeId) -> bool {
        !self.superseded.contains(&id)
    }

    /// Whether no registration is merged.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.into.is_empty()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::ids::{AgentId, DeviceId};

    fn merge(kept: MemberId, merged: MemberId) -> MemberMerge {
        MemberMerge {
            id: MemberMergeId::new(),
            kind: MergeKind::Merge,
            kept,
            merged,
            reason: "même personne".into(),
            agent_id: AgentId::new(),
            device_id: DeviceId::new(),
            at: chrono::DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn a_merged_registration_counts_under_the_kept_one() {
        let (a, b, c) = (MemberId::new(), MemberId::new(), MemberId::new());
        let m = Merges::new(&[merge(a, b)]);
        assert_eq!(m.canonical(b), a);
        assert_eq!(m.canonical(a), a);
        assert_eq!(m.canonical(c), c);
        assert!(m.is_absorbed(b) && !m.is_absorbed(a));
        assert_eq!(m.group(b), vec![a, b]);
        assert!(m.settled(a, b) && !m.settled(a, c));
    }

    #[test]
    fn two_offices_merging_each_into_the_other_keep_the_earlier_decision() {
        let (a, b) = (MemberId::new(), MemberId::new());
        let first = merge(a, b);
        let second = merge(b, a);
        for m in [
            Merges::new(&[first.clone(), second.clone()]),
            Merges::new(&[second.clone(), first.clone()]),
        ] {
            assert_eq!(m.canonical(b), a);
            assert_eq!(m.canonical(a), a);
            assert!(!m.in_force(second.id) && m.in_force(first.id));
        }
    }

    #[test]
    fn a_distinct_decision_absorbs_nothing() {
        let (a, b) = (MemberId::new(), MemberId::new());
        let mut d = merge(a, b);
        d.kind = MergeKind::Distinct;
        let m = Merges::new(&[d]);
        assert_eq!(m.canonical(b), b);
        assert!(m.settled(b, a) && m.is_empty());
    }
}

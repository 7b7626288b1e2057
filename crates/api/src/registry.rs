//! The registry in the window: a member's card corrected, her departure (left, deceased,
//! excluded) recorded or undone, her transfer to another cooperative (secretariat), and her
//! history, each change worded in the session's language (field names, statuses, sexes, crops
//! and dates as people write them; who and on which device by name).

use chrono::NaiveDate;
use sene_app::registry::{
    CorrectMember, HistoryEntry, MemberDeparted, ReinstateMember, TransferMember,
};
use sene_domain::*;

use crate::dto::*;
use crate::error::ApiError;
use crate::session::{date, Session, R};

/// `parti` → `Parti`.
pub(crate) fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// A value of a change in words (Rust's one wording, `sene_app::registry::value_text`);
/// statuses, sexes and crops start with a capital, as the card shows them.
fn value_text(s: &Session, field: &str, v: &str) -> String {
    let words = sene_app::registry::value_text(&s.ledger.db(), field, Some(v), s.lang);
    match field {
        "sex" | "status" => capitalized(&words),
        "crops" => words
            .split(", ")
            .map(capitalized)
            .collect::<Vec<_>>()
            .join(", "),
        _ => words,
    }
}

impl Session {
    fn history_view(&self, e: &HistoryEntry) -> HistoryEntryView {
        let c = &e.change;
        let changes = c
            .changes
            .iter()
            .map(|(field, (old, new))| FieldChangeView {
                field: field.clone(),
                label: sene_app::registry::field_label(field, self.lang).to_owned(),
                old: old.as_deref().map(|v| value_text(self, field, v)),
                new: new.as_deref().map(|v| value_text(self, field, v)),
            })
            .collect();
        let db = self.ledger.db();
        let record = c
            .record_id
            .parse::<MemberId>()
            .ok()
            .and_then(|id| db.member(id).ok().flatten())
            .map_or_else(String::new, |m| {
                let coop = db
                    .cooperative(m.cooperative_id)
                    .ok()
                    .flatten()
                    .map_or_else(String::new, |c| c.name);
                format!("{} · {coop}", m.number)
            });
        HistoryEntryView {
            id: c.id.to_string(),
            at: c.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            action: c.action.code().into(),
            action_label: capitalized(&self.label(c.action.label_fr(), c.action.label_en())),
            effective_on: c.effective_on.map(date),
            changes,
            reason: c.reason.clone(),
            agent: e.agent.clone(),
            device: e.device.clone(),
            record,
        }
    }

    /// A change just recorded, as the history shows it.
    fn change_view(&self, c: RegistryChange) -> HistoryEntryView {
        let db = self.ledger.db();
        let agent = db
            .agent(c.agent_id)
            .ok()
            .flatten()
            .map_or_else(|| c.agent_id.to_string(), |a| a.name);
        let device = db
            .device(c.device_id)
            .ok()
            .flatten()
            .map_or_else(|| c.device_id.to_string(), |d| d.label);
        self.history_view(&HistoryEntry {
            change: c,
            agent,
            device,
        })
    }

    /// A date typed in a registry form (`key` the request's field): ISO, empty for today.
    fn registry_date(&self, key: &str, v: &str) -> R<NaiveDate> {
        self.office_date("date", v).map_err(|mut e| {
            e.field = Some(key.to_owned());
            e
        })
    }

    /// `correct_member`: some of a member's fields corrected, with the reason; only the
    /// fields named change.
    ///
    /// # Errors
    /// Validation (the field named), unknown member, a number taken in the cooperative,
    /// nothing to correct, an empty reason.
    pub fn correct_member(&mut self, req: &CorrectMemberRequest) -> R<MemberCorrectedView> {
        let text = |v: &Option<String>| -> Option<Option<String>> {
            v.as_ref().map(|s| {
                let t = s.trim();
                (!t.is_empty()).then(|| t.to_owned())
            })
        };
        let birth_year = match req.birth_year.as_deref().map(str::trim) {
            None => None,
            Some("") => Some(None),
            Some(y) => Some(Some(y.parse::<i32>().map_err(|_| {
                let mut e = ApiError::invalid(
                    self.lang,
                    "année de naissance",
                    &format!("« {y} » n'est pas une année (4 chiffres)"),
                    &format!("\"{y}\" is not a year (4 digits)"),
                );
                e.field = Some("birth_year".into());
                e
            })?)),
        };
        let crops = match &req.crops {
            None => None,
            Some(c) => Some(
                c.iter()
                    .map(|x| self.parse_field::<CropFamily>("crops", "cultures", x))
                    .collect::<R<Vec<_>>>()?,
            ),
        };
        let sex = match req.sex.as_deref() {
            None => None,
            Some(x) => Some(self.parse_field::<Sex>("sex", "sexe", &x.to_lowercase())?),
        };
        let cmd = CorrectMember {
            id: None,
            member_id: self.id("membre", &req.member_id)?,
            number: req.number.clone(),
            full_name: req.full_name.clone(),
            sex,
            birth_year,
            village: req.village.clone(),
            phone: text(&req.phone),
            nina: text(&req.nina),
            crops,
            reason: req.reason.clone(),
        };
        let actor = self.actor()?;
        let done = self
            .ledger
            .run(&actor, |tx| tx.correct_member(cmd))
            .map_err(|e| self.app(&e))?;
        Ok(MemberCorrectedView {
            member: self.summary(&done.member)?,
            look_alikes: done
                .look_alikes
                .iter()
                .map(|m| self.summary(m))
                .collect::<R<_>>()?,
            change: self.change_view(done.change),
        })
    }

    /// `member_departed`: a member who left, died or was excluded, from a date.
    ///
    /// # Errors
    /// Not a departure, a date in the future or before her registration, a member already
    /// gone, an empty reason.
    pub fn member_departed(&mut self, req: &MemberDepartedRequest) -> R<HistoryEntryView> {
        let cmd = MemberDeparted {
            id: None,
            member_id: self.id("membre", &req.member_id)?,
            status: self.parse_field("status", "statut", &req.status)?,
            on: self.registry_date("on", &req.on)?,
            reason: req.reason.clone(),
        };
        let actor = self.actor()?;
        let c = self
            .ledger
            .run(&actor, |tx| tx.member_departed(cmd))
            .map_err(|e| self.app(&e))?;
        Ok(self.change_view(c))
    }

    /// `reinstate_member`: a departure recorded in error, undone (it stays in her history).
    ///
    /// # Errors
    /// No departure to undo (a transfer is undone by a transfer back), an empty reason.
    pub fn reinstate_member(&mut self, req: &ReinstateMemberRequest) -> R<HistoryEntryView> {
        let cmd = ReinstateMember {
            id: None,
            member_id: self.id("membre", &req.member_id)?,
            reason: req.reason.clone(),
        };
        let actor = self.actor()?;
        let c = self
            .ledger
            .run(&actor, |tx| tx.reinstate_member(cmd))
            .map_err(|e| self.app(&e))?;
        Ok(self.change_view(c))
    }

    /// `transfer_member` (secretariat): a new record with a new number in the cooperative she
    /// joins, linked both ways to the one she leaves, which keeps her records.
    ///
    /// # Errors
    /// Not the secretariat, unknown member or cooperative, a number taken there, open
    /// contracts or a carried debt, a date in the future or before her registration.
    pub fn transfer_member(&mut self, req: &TransferMemberRequest) -> R<MemberTransferredView> {
        // the role first: whoever may not transfer is told so, whatever they typed
        let actor = self.actor()?;
        self.ledger
            .require_secretariat(&actor, "transférer un membre")
            .map_err(|e| self.app(&e))?;
        let cmd = TransferMember {
            id: None,
            member_id: self.id("membre", &req.member_id)?,
            to_cooperative: self.id("coopérative", &req.to_cooperative_id)?,
            new_number: req.new_number.clone(),
            new_member_id: None,
            on: self.registry_date("on", &req.on)?,
            reason: req.reason.clone(),
        };
        let done = self
            .ledger
            .run(&actor, |tx| tx.transfer_member(cmd))
            .map_err(|e| self.app(&e))?;
        Ok(MemberTransferredView {
            left: self.summary(&done.left)?,
            joined: self.summary(&done.joined)?,
        })
    }

    /// `member_history`: her corrections, departure, reinstatement and transfer, and those of
    /// the record she came from, oldest first.
    ///
    /// # Errors
    /// Unknown member, store errors.
    pub fn member_history(&self, req: &MemberRequest) -> R<Vec<HistoryEntryView>> {
        let id: MemberId = self.id("membre", &req.member_id)?;
        let entries = self.ledger.member_history(id).map_err(|e| self.app(&e))?;
        Ok(entries.iter().map(|e| self.history_view(e)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::capitalized;

    #[test]
    fn a_label_starts_with_a_capital() {
        assert_eq!(capitalized("décédé"), "Décédé");
        assert_eq!(capitalized("transfert (départ)"), "Transfert (départ)");
        assert_eq!(capitalized(""), "");
    }
}

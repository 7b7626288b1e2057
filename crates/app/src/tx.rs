//! One transaction's worth of use cases, as one actor: [`Tx`], which every use case module
//! (season, org, fertilizer, finance, registry, office…) extends with its methods, and the
//! helpers they share: the role check, idempotency of creations ([`Fresh`]), the audit row,
//! the money record's receipt, and the `NotFound` shorthand ([`missing`]).

use chrono::{DateTime, Utc};
use sene_domain::*;
use sene_store::{AuditEntry, Db, Table};
use serde::Serialize;

use crate::{Actor, AppError, Result};

/// One transaction's worth of use cases, as one actor.
pub struct Tx<'d, 'c> {
    pub(crate) db: &'d Db<'c>,
    pub(crate) actor: Actor,
    pub(crate) role: Role,
    pub(crate) now: DateTime<Utc>,
}

/// What happened to a create command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fresh {
    /// Not seen before: write it.
    New,
    /// Same id, same content: nothing to do.
    Repeat,
}

impl Tx<'_, '_> {
    /// The store inside the transaction.
    #[must_use]
    pub fn db(&self) -> &Db<'_> {
        self.db
    }

    /// Who is acting.
    #[must_use]
    pub fn actor(&self) -> Actor {
        self.actor
    }

    /// The transaction's time.
    #[must_use]
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    pub(crate) fn require(&self, ok: bool, action: &'static str) -> Result<()> {
        if ok {
            Ok(())
        } else {
            Err(AppError::Forbidden {
                role: self.role.label_fr().into(),
                action,
            })
        }
    }

    /// Idempotency: a record id already used by the same action with the same command is a
    /// no-op; with another command, an error.
    pub(crate) fn fresh<C: Serialize>(
        &self,
        table: Table,
        action: &str,
        kind: &'static str,
        id: &str,
        cmd: &C,
    ) -> Result<Fresh> {
        if !self.db.exists(table, id)? {
            return Ok(Fresh::New);
        }
        let payload = serde_json::to_string(cmd).unwrap_or_default();
        match self.db.creation_payload(action, id)? {
            Some(p) if p == payload => Ok(Fresh::Repeat),
            _ => Err(AppError::IdConflict {
                kind,
                id: id.to_owned(),
            }),
        }
    }

    /// Writes the audit row of a use case.
    pub(crate) fn audit<C: Serialize>(
        &self,
        action: &str,
        kind: &str,
        id: &str,
        cmd: &C,
    ) -> Result<()> {
        self.db.audit(&AuditEntry {
            at: self.now,
            agent_id: self.actor.agent,
            device_id: self.actor.device,
            action: action.into(),
            record_kind: kind.into(),
            record_id: id.into(),
            payload: serde_json::to_string(cmd).unwrap_or_default(),
        })?;
        Ok(())
    }

    pub(crate) fn recorded(&self) -> Result<Recorded> {
        Ok(Recorded {
            agent_id: self.actor.agent,
            device_id: self.actor.device,
            receipt: self.db.next_receipt(self.actor.device)?,
            recorded_at: self.now,
        })
    }
}

/// `NotFound` shorthand.
pub(crate) fn missing(kind: &'static str, id: impl ToString) -> AppError {
    AppError::NotFound {
        kind,
        id: id.to_string(),
    }
}

//! The accounts of a shared device once someone is signed in: the encrypted store of the
//! session ([`Unlocked`]), the account bound to its agent and acting as it, the accounts the
//! secretariat adds and removes, and the idle lock. (Before anyone is signed in, the door is
//! `signin.rs`'s `Gate`.)

use sene_domain::{AgentId, Lang};
use sene_store::{DataKey, KdfParams, Vault};

use super::{store_err, tr, Session, R};
use crate::dto::*;
use crate::error::{ApiError, ErrorCode};

/// Setting: minutes of inactivity before the window locks itself.
pub(crate) const IDLE_LOCK_SETTING: &str = "idle_lock_minutes";
/// The idle lock when none is set.
pub(crate) const IDLE_LOCK_DEFAULT: u32 = 10;
/// The longest idle lock that can be set (a working day's half).
pub(crate) const IDLE_LOCK_MAX: u32 = 240;

/// The encrypted store of an open session: its key file, who signed in, and the data key
/// (kept to start the office's hub on the same file).
#[derive(Debug)]
pub(crate) struct Unlocked {
    pub(crate) vault: Vault,
    pub(crate) account: String,
    pub(crate) key: DataKey,
}

pub(crate) fn check_confirm(passphrase: &str, confirm: &str, lang: Lang) -> R<()> {
    if passphrase != confirm {
        return Err(ApiError {
            code: ErrorCode::InvalidValue,
            message: tr(
                lang,
                "confirmation : les deux phrases secrètes diffèrent",
                "confirmation: the two passphrases differ",
            ),
            field: Some("confirm".into()),
        });
    }
    Ok(())
}

impl Session {
    /// Makes the signed-in account's agent the one who acts.
    pub(crate) fn act_as_account(&mut self) -> R<()> {
        let Some(u) = &self.unlocked else {
            return Ok(());
        };
        let agent = u
            .vault
            .slots()
            .iter()
            .find(|s| s.id == u.account)
            .and_then(|s| s.agent.as_deref())
            .and_then(|a| a.parse::<AgentId>().ok());
        if let Some(agent) = agent {
            self.ledger
                .set_acting_agent(Some(agent))
                .map_err(|e| self.app(&e))?;
        }
        Ok(())
    }

    /// Once the store has its first agent (union created, demo loaded, device enrolled), the
    /// account that made the key is bound to that agent.
    pub(crate) fn bind_account(&mut self) -> R<()> {
        let Some(u) = &mut self.unlocked else {
            return Ok(());
        };
        let slot = u.vault.slots().iter().find(|s| s.id == u.account).cloned();
        let Some(slot) = slot else { return Ok(()) };
        if slot.agent.is_some() {
            return Ok(());
        }
        let Ok(actor) = self.ledger.local_actor() else {
            return Ok(());
        };
        let lang = self.lang;
        u.vault
            .bind_agent(&slot.id, &actor.agent.to_string())
            .map_err(|e| store_err(&e, lang))?;
        Ok(())
    }

    /// The label of the signed-in account, if the store is encrypted.
    pub(crate) fn account_label(&self) -> Option<String> {
        let u = self.unlocked.as_ref()?;
        u.vault
            .slots()
            .iter()
            .find(|s| s.id == u.account)
            .map(|s| s.label.clone())
    }

    /// The data key of the open store (to serve the same file from the office's hub).
    pub(crate) fn data_key(&self) -> Option<DataKey> {
        self.unlocked.as_ref().map(|u| u.key.clone())
    }

    /// `list_accounts`: who signs in on this device.
    ///
    /// # Errors
    /// Store errors.
    pub fn accounts(&self) -> R<Vec<AccountView>> {
        let Some(u) = &self.unlocked else {
            return Ok(Vec::new());
        };
        let db = self.ledger.db();
        let mut out = Vec::new();
        for s in u.vault.slots() {
            let agent = match s.agent.as_deref().and_then(|a| a.parse::<AgentId>().ok()) {
                Some(a) => db.agent(a).map_err(|e| self.app(&e.into()))?,
                None => None,
            };
            out.push(AccountView {
                id: s.id.clone(),
                label: s.label.clone(),
                agent_id: s.agent.clone(),
                role_label: agent
                    .as_ref()
                    .map(|a| self.label(a.role.label_fr(), a.role.label_en())),
                agent_name: agent.map(|a| a.name),
            });
        }
        Ok(out)
    }

    /// `add_account`: the secretariat gives an agent known to the store a sign-in on this
    /// device (a committee member who approves on a field laptop, a second agent sharing it).
    /// Only the secretariat: an agent who could make accounts could sign in as anyone, and
    /// the second person of maker-checker would be no one.
    ///
    /// # Errors
    /// Not encrypted, not the secretariat, unknown agent, weak or unconfirmed passphrase.
    pub fn add_account(&mut self, req: &AddAccountRequest) -> R<Vec<AccountView>> {
        check_confirm(&req.passphrase, &req.confirm, self.lang)?;
        self.require_secretariat()?;
        let agent_id: AgentId = self.id("agent", &req.agent_id)?;
        let agent = self
            .ledger
            .db()
            .agent(agent_id)
            .map_err(|e| self.app(&e.into()))?
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::NotFound,
                    self.label(
                        &format!("agent introuvable : « {agent_id} »"),
                        &format!("agent not found: \"{agent_id}\""),
                    ),
                )
            })?;
        let lang = self.lang;
        let Some(u) = &mut self.unlocked else {
            return Err(ApiError::new(
                ErrorCode::RuleRefused,
                tr(
                    lang,
                    "cette base n'est pas chiffrée : chiffrez-la d'abord",
                    "this store is not encrypted: encrypt it first",
                ),
            ));
        };
        let kdf = KdfParams::DEFAULT;
        u.vault
            .add_slot(
                &u.key,
                &agent.name,
                Some(&agent_id.to_string()),
                &req.passphrase,
                kdf,
            )
            .map_err(|e| store_err(&e, lang))?;
        self.accounts()
    }

    /// `remove_account`: the secretariat removes a sign-in from this device (never its own,
    /// never the last).
    ///
    /// # Errors
    /// Not the secretariat, the signed-in account, the last account.
    pub fn remove_account(&mut self, req: &AccountRequest) -> R<Vec<AccountView>> {
        self.require_secretariat()?;
        let lang = self.lang;
        let Some(u) = &mut self.unlocked else {
            return Ok(Vec::new());
        };
        if u.account == req.account.trim() {
            return Err(ApiError::new(
                ErrorCode::RuleRefused,
                tr(
                    lang,
                    "on ne retire pas le compte avec lequel on est connecté",
                    "the account signed in cannot be removed",
                ),
            ));
        }
        u.vault
            .remove_slot(req.account.trim())
            .map_err(|e| store_err(&e, lang))?;
        self.accounts()
    }

    /// `set_idle_lock`: minutes without activity before the window locks (0: never).
    ///
    /// # Errors
    /// More than [`IDLE_LOCK_MAX`] minutes; store errors.
    pub fn set_idle_lock(&mut self, req: &IdleLockRequest) -> R<AppStatus> {
        if req.minutes > IDLE_LOCK_MAX {
            return Err(ApiError::invalid(
                self.lang,
                "minutes",
                &format!("au plus {IDLE_LOCK_MAX} minutes"),
                &format!("at most {IDLE_LOCK_MAX} minutes"),
            ));
        }
        self.ledger
            .set_setting(IDLE_LOCK_SETTING, &req.minutes.to_string())
            .map_err(|e| self.app(&e))?;
        self.status()
    }

    pub(crate) fn idle_lock_minutes(&self) -> u32 {
        self.ledger
            .setting(IDLE_LOCK_SETTING)
            .ok()
            .flatten()
            .and_then(|m| m.parse().ok())
            .unwrap_or(IDLE_LOCK_DEFAULT)
    }

    fn require_secretariat(&self) -> R<()> {
        let actor = self.actor()?;
        self.ledger
            .require_secretariat(&actor, "donner un compte sur un appareil")
            .map_err(|e| self.app(&e))
    }
}

//! Status, language and first run: what the window shows in its header, the interface
//! language, and the three ways a store gets its union (created, the demo, a hub's enrolment).

use sene_app::InitUnion;
use sene_domain::*;
use sene_hub::client;

use super::{date, kg, money, Session, SyncProgress, LANG_SETTING, R};
use crate::dto::*;
use crate::error::ApiError;

impl Session {
    /// `app_status`.
    ///
    /// # Errors
    /// Store errors.
    pub fn status(&self) -> R<AppStatus> {
        let db = self.ledger.db();
        let union = db.union().map_err(|e| self.app(&e.into()))?;
        let actor = self.ledger.local_actor().ok();
        let agent = match actor {
            Some(a) => db.agent(a.agent).map_err(|e| self.app(&e.into()))?,
            None => None,
        };
        let device = match actor {
            Some(a) => db.device(a.device).map_err(|e| self.app(&e.into()))?,
            None => None,
        };
        let mut campaigns = Vec::new();
        if union.is_some() {
            for id in db.campaign_ids().map_err(|e| self.app(&e.into()))? {
                if let Some(c) = db.campaign(id).map_err(|e| self.app(&e.into()))? {
                    campaigns.push(self.campaign_view(&c));
                }
            }
        }
        Ok(AppStatus {
            initialized: union.is_some(),
            union_name: union.map(|u| u.name),
            role: agent.as_ref().map(|a| a.role.code().to_owned()),
            role_label: agent
                .as_ref()
                .map(|a| self.label(a.role.label_fr(), a.role.label_en())),
            may_approve: agent.as_ref().is_some_and(|a| a.role.may_approve()),
            may_write: agent.as_ref().is_some_and(|a| a.role.may_write()),
            may_configure: agent.as_ref().is_some_and(|a| a.role.may_configure()),
            agent_name: agent.map(|a| a.name),
            device_label: device.map(|d| d.label),
            lang: if self.lang == Lang::Fr { "fr" } else { "en" }.into(),
            campaigns,
            today: date(self.today()),
            receipts_dir: self.receipts_dir.display().to_string(),
            encrypted: self.unlocked.is_some(),
            account_label: self.account_label(),
            idle_lock_minutes: self.idle_lock_minutes(),
        })
    }

    fn campaign_view(&self, c: &Campaign) -> CampaignView {
        CampaignView {
            id: c.id.to_string(),
            name: c.name.clone(),
            family: c.family.code().into(),
            family_label: self.label(c.family.label_fr(), c.family.label_en()),
            crops: c
                .prices
                .iter()
                .map(|p| CropPriceView {
                    crop: p.crop.code().into(),
                    label: self.label(p.crop.label_fr(), p.crop.label_en()),
                    base_price: money(p.base_price),
                })
                .collect(),
            advance_share: c.advance_share.as_decimal().normalize().to_string(),
            contract_from: date(c.contract_window.start),
            contract_to: date(c.contract_window.end),
            delivery_from: date(c.delivery_window.start),
            delivery_to: date(c.delivery_window.end),
            max_moisture: c.quality.max_moisture.as_decimal().normalize().to_string(),
            max_impurity: c.quality.max_impurity.as_decimal().normalize().to_string(),
            bag_tare_kg: kg(c.bag_tare),
            over_delivery_bought: c.over_delivery_bought,
        }
    }

    /// `set_lang`.
    ///
    /// # Errors
    /// An unknown language; store errors.
    pub fn set_lang(&mut self, req: &LangRequest) -> R<AppStatus> {
        self.lang = match req.lang.trim() {
            "fr" => Lang::Fr,
            "en" => Lang::En,
            other => {
                return Err(ApiError::invalid(
                    self.lang,
                    "langue",
                    &format!("« {other} » inconnue (fr ou en)"),
                    &format!("\"{other}\" unknown (fr or en)"),
                ))
            }
        };
        let code = req.lang.trim().to_owned();
        self.ledger
            .set_setting(LANG_SETTING, &code)
            .map_err(|e| self.app(&e))?;
        self.status()
    }

    /// `init_union`.
    ///
    /// # Errors
    /// Validation; a store that already holds a union.
    pub fn init_union(&mut self, req: &InitRequest) -> R<AppStatus> {
        self.ledger
            .init(&InitUnion {
                union_name: req.union_name.clone(),
                region: req.region.clone(),
                agent_name: req.agent_name.clone(),
                device_label: req.device_label.clone(),
                receipt_prefix: req.receipt_prefix.clone(),
            })
            .map_err(|e| self.app(&e))?;
        self.bind_account()?;
        self.status()
    }

    /// `load_demo`: the demo union (5 cooperatives, 3 campaigns) in an empty store, with what a
    /// sync brings to the office (a member registered twice on two devices, in the conflict
    /// queue: [`sene_app::demo::office_inbox`]).
    ///
    /// # Errors
    /// A store that is not empty.
    pub fn load_demo(&mut self, progress: &mut dyn FnMut(&str)) -> R<AppStatus> {
        sene_app::demo::load_demo(&mut self.ledger, progress).map_err(|e| self.app(&e))?;
        progress("Ce qu'une synchronisation apporte au bureau…");
        sene_app::demo::office_inbox(&mut self.ledger).map_err(|e| self.app(&e))?;
        self.bind_account()?;
        self.status()
    }

    /// `enroll`: joins a union through its hub with a pairing code, then syncs once.
    ///
    /// # Errors
    /// Network, wrong code, a store that is not empty.
    pub fn enroll(
        &mut self,
        req: &EnrollRequest,
        progress: &mut dyn FnMut(&SyncProgress),
    ) -> R<AppStatus> {
        let device: DeviceId = self.id("appareil", &req.device_id)?;
        let lang = self.lang;
        client::enroll(&mut self.ledger, req.hub_url.trim(), device, &req.code)
            .map_err(|e| ApiError::from_hub(&e, lang))?;
        self.bind_account()?;
        self.sync_now(progress)?;
        self.status()
    }
}

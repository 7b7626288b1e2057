//! The session the desktop window talks to: one ledger, the acting agent, the language, and
//! one method per command. Each method parses the request, calls the use case, maps the answer.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::NaiveDate;
use sene_app::fertilizer::{DistributeFertilizer, NewNeed};
use sene_app::org::NewMember;
use sene_app::season::{Decision, DisburseAdvance, RecordDelivery, RequestContract, Reverse};
use sene_app::views;
use sene_app::{Actor, AppError, InitUnion, Ledger, StoreError};
use sene_domain::*;
use sene_hub::client;

use crate::dto::*;
use crate::error::{ApiError, ErrorCode};

/// A step of a sync, for the progress bar.
pub type SyncProgress = SyncProgressView;

/// Setting: the interface language.
const LANG_SETTING: &str = "ui_lang";
/// Setting: the audit sequence at the last completed sync (what "changes waiting" counts from).
const SYNCED_SEQ: &str = "ui_synced_audit_seq";
/// A backup older than this (by the ledger's clock), or none at all, is overdue: the office's
/// dashboard warns. The rule is the ledger's ([`sene_app::Ledger::backup_overdue`]).
pub use sene_app::BACKUP_MAX_AGE_HOURS;

pub(crate) type R<T> = Result<T, ApiError>;

/// One open store and who is using it.
pub struct Session {
    pub(crate) ledger: Ledger,
    pub(crate) lang: Lang,
    pub(crate) receipts_dir: PathBuf,
    /// The store's file, when the session opened one (the office's hub serves the same file).
    pub(crate) store_path: Option<PathBuf>,
    /// The hub this app started, and the address it listens on.
    pub(crate) hub: Option<std::net::SocketAddr>,
    /// The key file and signed-in account, when the store is encrypted.
    pub(crate) unlocked: Option<crate::signin::Unlocked>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("lang", &self.lang)
            .field("receipts_dir", &self.receipts_dir)
            .finish_non_exhaustive()
    }
}

pub(crate) fn money(m: Money) -> String {
    m.francs().to_string()
}

pub(crate) fn kg(k: Kg) -> String {
    k.as_decimal().normalize().to_string()
}

pub(crate) fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

impl Session {
    /// A session on an open ledger; receipts are saved under `receipts_dir`.
    #[must_use]
    pub fn new(ledger: Ledger, receipts_dir: PathBuf) -> Self {
        let lang = match ledger.setting(LANG_SETTING).ok().flatten().as_deref() {
            Some("en") => Lang::En,
            _ => Lang::Fr,
        };
        Session {
            ledger,
            lang,
            receipts_dir,
            store_path: None,
            hub: None,
            unlocked: None,
        }
    }

    /// The same session, knowing the store's file (what the office's hub serves).
    #[must_use]
    pub fn with_store_path(mut self, path: PathBuf) -> Self {
        self.store_path = Some(path);
        self
    }

    /// The ledger (for tests and the shell).
    pub fn ledger(&mut self) -> &mut Ledger {
        &mut self.ledger
    }

    pub(crate) fn app(&self, e: &AppError) -> ApiError {
        ApiError::from_app(e, self.lang)
    }

    fn parse<T: FromStr<Err = DomainError>>(&self, field: &str, v: &str) -> R<T> {
        v.parse::<T>().map_err(|e| {
            let mut err = ApiError::from_app(&AppError::Domain(e), self.lang);
            err.field = Some(field.to_owned());
            err.message = if self.lang == Lang::Fr {
                format!("{field} : {}", err.message)
            } else {
                format!("{}: {}", sene_domain::label_en(field), err.message)
            };
            err
        })
    }

    /// As `parse`, the error naming the request's field `key` and saying `label`.
    pub(crate) fn parse_field<T: FromStr<Err = DomainError>>(
        &self,
        key: &str,
        label: &str,
        v: &str,
    ) -> R<T> {
        let mut err = match self.parse::<T>(label, v.trim()) {
            Ok(t) => return Ok(t),
            Err(e) => e,
        };
        err.field = Some(key.to_owned());
        Err(err)
    }

    /// The id the window minted for a record it is about to write, if it sent one.
    pub(crate) fn record_id<T: FromStr>(&self, what: &str, v: Option<&str>) -> R<Option<T>> {
        match v.map(str::trim) {
            None | Some("") => Ok(None),
            Some(v) => v.parse::<T>().map(Some).map_err(|_| {
                ApiError::invalid(
                    self.lang,
                    what,
                    &format!("identifiant « {v} » invalide"),
                    &format!("invalid id \"{v}\""),
                )
            }),
        }
    }

    pub(crate) fn id<T: FromStr>(&self, what: &str, v: &str) -> R<T> {
        v.trim().parse::<T>().map_err(|_| {
            ApiError::new(
                ErrorCode::NotFound,
                if self.lang == Lang::Fr {
                    format!("{what} introuvable : « {v} »")
                } else {
                    format!("{} not found: \"{v}\"", sene_domain::label_en(what))
                },
            )
        })
    }

    fn count(&self, field: &str, v: &str) -> R<u32> {
        let t = v.trim();
        t.parse::<u32>().map_err(|_| {
            ApiError::invalid(
                self.lang,
                field,
                &format!("« {t} » n'est pas un nombre entier de sacs"),
                &format!("\"{t}\" is not a whole number"),
            )
        })
    }

    pub(crate) fn actor(&self) -> R<Actor> {
        self.ledger.local_actor().map_err(|e| self.app(&e))
    }

    pub(crate) fn today(&self) -> NaiveDate {
        self.ledger.now().date_naive()
    }

    // ----- status, language, first run -----

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

    pub(crate) fn label(&self, fr: &str, en: &str) -> String {
        if self.lang == Lang::Fr { fr } else { en }.to_owned()
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

    // ----- cooperatives and members -----

    /// `list_cooperatives`.
    ///
    /// # Errors
    /// Store errors.
    pub fn cooperatives(&self) -> R<Vec<CooperativeView>> {
        let db = self.ledger.db();
        let mut out = Vec::new();
        for c in db.cooperatives().map_err(|e| self.app(&e.into()))? {
            let members = db.members(Some(c.id)).map_err(|e| self.app(&e.into()))?;
            let n = sene_app::conflicts::listed(&db, members)
                .map_err(|e| self.app(&e))?
                .len();
            out.push(CooperativeView {
                id: c.id.to_string(),
                code: c.code,
                name: c.name,
                village: c.village,
                member_count: u32::try_from(n).unwrap_or(u32::MAX),
            });
        }
        Ok(out)
    }

    /// `list_warehouses`.
    ///
    /// # Errors
    /// Unknown cooperative; store errors.
    pub fn warehouses(&self, req: &CooperativeRequest) -> R<Vec<WarehouseView>> {
        let coop: CooperativeId = self.id("coopérative", &req.cooperative_id)?;
        Ok(self
            .ledger
            .db()
            .warehouses(Some(coop))
            .map_err(|e| self.app(&e.into()))?
            .into_iter()
            .map(|w| WarehouseView {
                id: w.id.to_string(),
                name: w.name,
            })
            .collect())
    }

    pub(crate) fn summary(&self, m: &Member) -> R<MemberSummary> {
        let coop = self
            .ledger
            .db()
            .cooperative(m.cooperative_id)
            .map_err(|e| self.app(&e.into()))?;
        Ok(MemberSummary {
            id: m.id.to_string(),
            number: m.number.clone(),
            full_name: m.full_name.clone(),
            village: m.village.clone(),
            phone: m.phone.clone(),
            cooperative_id: m.cooperative_id.to_string(),
            cooperative_name: coop.map(|c| c.name).unwrap_or_default(),
            status: m.status.code().into(),
            status_label: crate::registry::capitalized(
                &self.label(m.status.label_fr(), m.status.label_en()),
            ),
            active: m.status == MemberStatus::Active,
            left_on: m.left_on.map(date),
        })
    }

    /// `search_members`: accent- and case-insensitive name, number or phone; an empty query
    /// lists the cooperative's members.
    ///
    /// # Errors
    /// Store errors.
    pub fn search_members(&self, req: &SearchRequest) -> R<Vec<MemberSummary>> {
        let coop: Option<CooperativeId> = match req.cooperative_id.as_deref() {
            Some(c) if !c.trim().is_empty() => Some(self.id("coopérative", c)?),
            _ => None,
        };
        let db = self.ledger.db();
        let found = if req.query.trim().is_empty() {
            db.members(coop)
        } else {
            db.search_members(&req.query, 200)
        }
        .map_err(|e| self.app(&e.into()))?;
        // a registration merged into another is found as the one kept
        let found = sene_app::conflicts::listed(&db, found).map_err(|e| self.app(&e))?;
        found
            .iter()
            .filter(|m| coop.is_none_or(|c| m.cooperative_id == c))
            .take(200)
            .map(|m| self.summary(m))
            .collect()
    }

    fn contract_view(&self, l: &views::ContractLine) -> ContractView {
        let c = &l.contract;
        ContractView {
            id: c.id.to_string(),
            member_id: c.member_id.to_string(),
            campaign_id: c.campaign_id.to_string(),
            campaign_name: l.campaign_name.clone(),
            crop: c.crop.code().into(),
            crop_label: self.label(c.crop.label_fr(), c.crop.label_en()),
            committed_kg: kg(c.committed),
            base_price: money(c.base_price),
            state: c.state.code().into(),
            state_label: self.label(c.state.label_fr(), c.state.label_en()),
            advance_due: money(l.advance_due),
            disbursed: money(l.disbursed),
            accepted_kg: kg(l.accepted),
            value: money(l.value),
        }
    }

    /// `member_card`.
    ///
    /// # Errors
    /// Unknown member; store errors.
    pub fn member_card(&self, req: &MemberRequest) -> R<MemberCard> {
        let id: MemberId = self.id("membre", &req.member_id)?;
        let db = self.ledger.db();
        let card = views::member_card(&db, id, self.today()).map_err(|e| self.app(&e))?;
        let mut receipts = Vec::new();
        let contracts: Vec<ContractView> = card
            .contracts
            .iter()
            .map(|l| self.contract_view(l))
            .collect();
        let crop_of = |c: ContractId| {
            card.contracts
                .iter()
                .find(|l| l.contract.id == c)
                .map(|l| self.label(l.contract.crop.label_fr(), l.contract.crop.label_en()))
                .unwrap_or_default()
        };
        let reversal = |receipts: &mut Vec<ReceiptRef>, target: &str| -> R<()> {
            if let Some(r) = db.reversal_of(target).map_err(|e| self.app(&e.into()))? {
                receipts.push(ReceiptRef {
                    kind: "reversal".into(),
                    id: r.id.to_string(),
                    number: r.recorded.receipt,
                    date: date(r.date),
                    title: self.label("Annulation", "Reversal"),
                });
            }
            Ok(())
        };
        let mut disbursements = Vec::new();
        for m in &card.disbursements {
            let x = &m.record;
            receipts.push(ReceiptRef {
                kind: "disbursement".into(),
                id: x.id.to_string(),
                number: x.recorded.receipt.clone(),
                date: date(x.date),
                title: self.label("Avance", "Advance"),
            });
            reversal(&mut receipts, &x.id.to_string())?;
            disbursements.push(MoneyLine {
                id: x.id.to_string(),
                date: date(x.date),
                amount: money(x.amount),
                receipt: x.recorded.receipt.clone(),
                reversed: m.reversed_by.is_some(),
                contract_id: Some(x.contract_id.to_string()),
            });
        }
        let mut deliveries = Vec::new();
        for m in &card.deliveries {
            let x = &m.record;
            receipts.push(ReceiptRef {
                kind: "delivery".into(),
                id: x.id.to_string(),
                number: x.recorded.receipt.clone(),
                date: date(x.date),
                title: self.label("Livraison", "Delivery"),
            });
            reversal(&mut receipts, &x.id.to_string())?;
            deliveries.push(DeliveryView {
                id: x.id.to_string(),
                date: date(x.date),
                contract_id: x.contract_id.to_string(),
                crop_label: crop_of(x.contract_id),
                bags: x.bags,
                gross_kg: kg(x.gross),
                net_kg: kg(x.net),
                accepted_kg: kg(x.accepted),
                receipt: x.recorded.receipt.clone(),
                voided: m.reversed_by.is_some(),
            });
        }
        let mut distributions = Vec::new();
        for m in &card.distributions {
            let x = &m.record;
            let product = db
                .product(x.product_id)
                .map_err(|e| self.app(&e.into()))?
                .map(|p| p.name)
                .unwrap_or_default();
            receipts.push(ReceiptRef {
                kind: "distribution".into(),
                id: x.id.to_string(),
                number: x.recorded.receipt.clone(),
                date: date(x.date),
                title: self.label("Engrais", "Fertilizer"),
            });
            reversal(&mut receipts, &x.id.to_string())?;
            let amount = rules::fertilizer_credit(&[rules::FertilizerLine {
                bags: x.bags,
                price_per_bag: x.price_per_bag,
                cash_paid: Money::ZERO,
            }])
            .map_err(|e| self.app(&e.into()))?;
            distributions.push(DistributionView {
                id: x.id.to_string(),
                date: date(x.date),
                product_name: product,
                bags: x.bags,
                amount: money(amount),
                cash_paid: money(x.cash_paid),
                receipt: x.recorded.receipt.clone(),
                reversed: m.reversed_by.is_some(),
            });
        }
        let mut payments = Vec::new();
        for m in &card.payments {
            let x = &m.record;
            receipts.push(ReceiptRef {
                kind: "payment".into(),
                id: x.id.to_string(),
                number: x.recorded.receipt.clone(),
                date: date(x.date),
                title: self.label("Paiement du solde", "Balance payment"),
            });
            reversal(&mut receipts, &x.id.to_string())?;
            payments.push(MoneyLine {
                id: x.id.to_string(),
                date: date(x.date),
                amount: money(x.amount),
                receipt: x.recorded.receipt.clone(),
                reversed: m.reversed_by.is_some(),
                contract_id: None,
            });
        }
        receipts.sort_by(|a, b| a.date.cmp(&b.date).then(a.number.cmp(&b.number)));
        let balances = card
            .balances
            .iter()
            .map(|(c, l)| BalanceView {
                campaign_id: c.id.to_string(),
                campaign_name: c.name.clone(),
                contracts_value: money(l.delivered_value),
                advances: money(l.advances),
                fees: money(l.fees),
                fertilizer: money(l.fertilizer_credit),
                carried_debt: money(l.carried_debt),
                complement: money(l.complement),
                net: money(l.net),
                paid: money(l.paid),
                remaining: money(l.remaining),
            })
            .collect();
        let linked = |id: Option<MemberId>| -> R<Option<MemberSummary>> {
            match id {
                Some(id) => match db.member(id).map_err(|e| self.app(&e.into()))? {
                    Some(m) => self.summary(&m).map(Some),
                    None => Ok(None),
                },
                None => Ok(None),
            }
        };
        let m = &card.member;
        Ok(MemberCard {
            member: self.summary(m)?,
            nina: m.nina.clone(),
            registered_on: m.registered_on.map(date),
            may_contract: sene_app::registry::present_on(m, self.today()),
            may_depart: m.status == MemberStatus::Active,
            may_reinstate: m.status.is_departure(),
            moved_to: linked(m.moved_to)?,
            moved_from: linked(m.moved_from)?,
            sex: card.member.sex.code().into(),
            birth_year: card.member.birth_year,
            crops: card
                .member
                .crops
                .iter()
                .map(|c| c.code().to_owned())
                .collect(),
            contracts,
            disbursements,
            payments,
            deliveries,
            distributions,
            balances,
            receipts,
        })
    }

    fn new_member(&self, req: &NewMemberRequest) -> R<NewMember> {
        let crops = req
            .crops
            .iter()
            .map(|c| self.parse::<CropFamily>("cultures", c))
            .collect::<R<Vec<_>>>()?;
        let opt = |v: &Option<String>| {
            v.as_ref()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
        };
        Ok(NewMember {
            id: None,
            cooperative_id: self.id("coopérative", &req.cooperative_id)?,
            number: req.number.clone(),
            full_name: req.full_name.clone(),
            sex: self.parse("sexe", &req.sex.to_lowercase())?,
            birth_year: req.birth_year,
            village: req.village.clone(),
            phone: opt(&req.phone),
            nina: opt(&req.nina),
            crops,
        })
    }

    /// `check_member`: the probable duplicates of a member about to be registered.
    ///
    /// # Errors
    /// Invalid request; store errors.
    pub fn check_member(&mut self, req: &NewMemberRequest) -> R<Vec<MemberSummary>> {
        let cmd = self.new_member(req)?;
        let actor = self.actor()?;
        let found = self
            .ledger
            .run(&actor, |tx| tx.probable_duplicates(&cmd))
            .map_err(|e| self.app(&e))?;
        found.iter().map(|m| self.summary(m)).collect()
    }

    /// `register_member`.
    ///
    /// # Errors
    /// Validation, duplicate number, probable duplicate not confirmed.
    pub fn register_member(&mut self, req: &NewMemberRequest) -> R<MemberSummary> {
        let cmd = self.new_member(req)?;
        let actor = self.actor()?;
        let confirmed = req.confirmed;
        let m = self
            .ledger
            .run(&actor, |tx| tx.register_member(cmd, confirmed))
            .map_err(|e| self.app(&e))?;
        self.summary(&m)
    }

    // ----- contracts, advances, deliveries -----

    fn contract(&self, id: ContractId) -> R<Contract> {
        self.ledger
            .db()
            .contract(id)
            .map_err(|e| self.app(&e.into()))?
            .ok_or_else(|| {
                self.app(&AppError::NotFound {
                    kind: "contrat",
                    id: id.to_string(),
                })
            })
    }

    fn contract_line(&self, id: ContractId) -> R<ContractView> {
        let c = self.contract(id)?;
        let l = views::contract_line(&self.ledger.db(), c).map_err(|e| self.app(&e))?;
        Ok(self.contract_view(&l))
    }

    /// `request_contract`.
    ///
    /// # Errors
    /// Validation, dates outside the contract window, unknown member or campaign.
    pub fn request_contract(&mut self, req: &ContractRequest) -> R<ContractView> {
        let cmd = RequestContract {
            id: None,
            member_id: self.id("membre", &req.member_id)?,
            campaign_id: self.id("campagne", &req.campaign_id)?,
            crop: self.parse("culture", &req.crop)?,
            committed: self.parse("quantité engagée (kg)", &req.committed_kg)?,
            date: self.today(),
        };
        let actor = self.actor()?;
        let c = self
            .ledger
            .run(&actor, |tx| tx.request_contract(cmd))
            .map_err(|e| self.app(&e))?;
        self.contract_line(c.id)
    }

    /// `decide_contract`: approve or reject (CTC or secretariat).
    ///
    /// # Errors
    /// Role, state, unknown contract.
    pub fn decide_contract(&mut self, req: &DecideRequest) -> R<ContractView> {
        let id: ContractId = self.id("contrat", &req.contract_id)?;
        let decision = if req.approve {
            Decision::Approve
        } else {
            Decision::Reject
        };
        let actor = self.actor()?;
        let today = self.today();
        self.ledger
            .run(&actor, |tx| tx.decide_contract(id, decision, today))
            .map_err(|e| self.app(&e))?;
        self.contract_line(id)
    }

    /// `disburse`: an advance → its receipt.
    ///
    /// # Errors
    /// Validation, above the advance due, contract not approved.
    pub fn disburse(&mut self, req: &DisburseRequest) -> R<ReceiptView> {
        let cmd = DisburseAdvance {
            id: self.record_id("avance", req.record_id.as_deref())?,
            contract_id: self.id("contrat", &req.contract_id)?,
            amount: self.parse("montant", &req.amount)?,
            date: self.today(),
            mode: self.parse("mode de paiement", &req.mode)?,
        };
        let actor = self.actor()?;
        let d = self
            .ledger
            .run(&actor, |tx| tx.disburse_advance(cmd))
            .map_err(|e| self.app(&e))?;
        self.receipt_after_save(&ReceiptRequest {
            kind: "disbursement".into(),
            id: d.id.to_string(),
        })
    }

    /// `pay_balance`: pays a member what the settlement owes (at most what remains to pay) →
    /// receipt.
    ///
    /// # Errors
    /// Unknown member or campaign, an amount that is not whole francs, not positive or above
    /// what remains to pay, an unknown payment mode.
    pub fn pay_balance(&mut self, req: &PayBalanceRequest) -> R<ReceiptView> {
        let cmd = sene_app::finance::PayBalance {
            id: self.record_id("paiement", req.record_id.as_deref())?,
            member_id: self.id("membre", &req.member_id)?,
            campaign_id: self.id("campagne", &req.campaign_id)?,
            amount: self.parse("montant", &req.amount)?,
            date: self.today(),
            mode: self.parse("mode de paiement", &req.mode)?,
        };
        let actor = self.actor()?;
        let p = self
            .ledger
            .run(&actor, |tx| tx.pay_balance(cmd))
            .map_err(|e| self.app(&e))?;
        self.receipt_after_save(&ReceiptRequest {
            kind: "payment".into(),
            id: p.id.to_string(),
        })
    }

    /// The delivery command of a request, and its contract.
    fn delivery_cmd(
        &self,
        req: &DeliveryRequest,
        with_warehouse: bool,
    ) -> R<(RecordDelivery, Contract)> {
        let contract_id: ContractId = self.id("contrat", &req.contract_id)?;
        let contract = self.contract(contract_id)?;
        let warehouse_id = if with_warehouse {
            self.id("magasin", &req.warehouse_id)?
        } else {
            WarehouseId::default()
        };
        let cmd = RecordDelivery {
            id: self.record_id("livraison", req.record_id.as_deref())?,
            member_id: contract.member_id,
            contract_id,
            warehouse_id,
            bags: self.count("nombre de sacs", &req.bags)?,
            gross: self.parse("poids brut (kg)", &req.gross_kg)?,
            moisture: self.parse("humidité (%)", &req.moisture)?,
            impurity: self.parse("impuretés (%)", &req.impurity)?,
            date: self.today(),
        };
        Ok((cmd, contract))
    }

    /// `preview_delivery`: net and accepted kg and value as the agent types; nothing written.
    ///
    /// # Errors
    /// Validation.
    pub fn preview_delivery(&self, req: &DeliveryRequest) -> R<DeliveryPreviewView> {
        let (cmd, contract) = self.delivery_cmd(req, false)?;
        let db = self.ledger.db();
        let camp = db
            .campaign(contract.campaign_id)
            .map_err(|e| self.app(&e.into()))?
            .ok_or_else(|| {
                self.app(&AppError::NotFound {
                    kind: "campagne",
                    id: contract.campaign_id.to_string(),
                })
            })?;
        let p = sene_app::season::preview_delivery(
            &camp,
            contract.crop,
            cmd.bags,
            cmd.gross,
            cmd.moisture,
            cmd.impurity,
        )
        .map_err(|e| self.app(&e))?;
        let already = db
            .accepted_on(contract.id)
            .map_err(|e| self.app(&e.into()))?;
        let after = already
            .checked_add(p.accepted)
            .map_err(|e| self.app(&e.into()))?;
        Ok(DeliveryPreviewView {
            net_kg: kg(p.net),
            accepted_kg: kg(p.accepted),
            value: money(p.value),
            over_committed: after > contract.committed,
        })
    }

    /// `record_delivery` → its receipt.
    ///
    /// # Errors
    /// Validation, dates outside the delivery window, another cooperative's warehouse.
    pub fn record_delivery(&mut self, req: &DeliveryRequest) -> R<ReceiptView> {
        let (cmd, _) = self.delivery_cmd(req, true)?;
        let actor = self.actor()?;
        let d = self
            .ledger
            .run(&actor, |tx| tx.record_delivery(cmd))
            .map_err(|e| self.app(&e))?;
        self.receipt_after_save(&ReceiptRequest {
            kind: "delivery".into(),
            id: d.id.to_string(),
        })
    }

    // ----- fertilizer -----

    /// `list_products`.
    ///
    /// # Errors
    /// Store errors.
    pub fn products(&self) -> R<Vec<ProductView>> {
        Ok(self
            .ledger
            .db()
            .products()
            .map_err(|e| self.app(&e.into()))?
            .into_iter()
            .map(|p| ProductView {
                id: p.id.to_string(),
                name: p.name,
                bag_weight_kg: kg(p.bag_weight),
                price_per_bag: money(p.price_per_bag),
            })
            .collect())
    }

    /// `add_need`.
    ///
    /// # Errors
    /// Validation, unknown ids.
    pub fn add_need(&mut self, req: &NeedRequest) -> R<()> {
        let cmd = NewNeed {
            id: None,
            member_id: self.id("membre", &req.member_id)?,
            campaign_id: self.id("campagne", &req.campaign_id)?,
            product_id: self.id("produit", &req.product_id)?,
            bags: self.count("sacs", &req.bags)?,
        };
        let actor = self.actor()?;
        self.ledger
            .run(&actor, |tx| tx.add_need(cmd))
            .map_err(|e| self.app(&e))?;
        Ok(())
    }

    /// `distribute` → its receipt.
    ///
    /// # Errors
    /// Validation, stock, cash above cost.
    pub fn distribute(&mut self, req: &DistributeRequest) -> R<ReceiptView> {
        let cmd = DistributeFertilizer {
            id: self.record_id("distribution", req.record_id.as_deref())?,
            member_id: self.id("membre", &req.member_id)?,
            campaign_id: self.id("campagne", &req.campaign_id)?,
            product_id: self.id("produit", &req.product_id)?,
            bags: self.count("sacs", &req.bags)?,
            cash_paid: if req.cash_paid.trim().is_empty() {
                Money::ZERO
            } else {
                self.parse("payé comptant", &req.cash_paid)?
            },
            date: self.today(),
        };
        let actor = self.actor()?;
        let d = self
            .ledger
            .run(&actor, |tx| tx.distribute_fertilizer(cmd))
            .map_err(|e| self.app(&e))?;
        self.receipt_after_save(&ReceiptRequest {
            kind: "distribution".into(),
            id: d.id.to_string(),
        })
    }

    // ----- reversal -----

    /// `reverse`: cancels a money record with a reason → the reversal's own receipt.
    ///
    /// # Errors
    /// Empty reason, already reversed, unknown record.
    pub fn reverse(&mut self, req: &ReverseRequest) -> R<ReceiptView> {
        let kind: RecordKind = self.parse("type d'enregistrement", &req.kind)?;
        let cmd = Reverse {
            id: self.record_id("annulation", req.record_id.as_deref())?,
            target_kind: kind,
            target_id: req.target_id.trim().to_owned(),
            reason: req.reason.clone(),
            date: self.today(),
        };
        let actor = self.actor()?;
        let r = self
            .ledger
            .run(&actor, |tx| tx.reverse(cmd))
            .map_err(|e| self.app(&e))?;
        self.receipt_after_save(&ReceiptRequest {
            kind: "reversal".into(),
            id: r.id.to_string(),
        })
    }

    // ----- sheets and cash -----

    /// `collection_sheet`.
    ///
    /// # Errors
    /// Unknown ids; store errors.
    pub fn collection_sheet(&self, req: &SheetRequest) -> R<CollectionSheetView> {
        let coop: CooperativeId = self.id("coopérative", &req.cooperative_id)?;
        let camp: CampaignId = self.id("campagne", &req.campaign_id)?;
        let s = views::collection_sheet(&self.ledger.db(), coop, camp).map_err(|e| self.app(&e))?;
        Ok(CollectionSheetView {
            cooperative: s.cooperative.name,
            campaign: s.campaign.name,
            rows: s
                .lines
                .iter()
                .map(|l| SheetRow {
                    member_id: l.member_id.to_string(),
                    number: l.number.clone(),
                    full_name: l.full_name.clone(),
                    crop_label: self.label(l.crop.label_fr(), l.crop.label_en()),
                    committed_kg: kg(l.committed),
                    delivered_kg: kg(l.delivered),
                    remaining_kg: kg(l.remaining),
                    advance: money(l.advance),
                })
                .collect(),
            totals: SheetTotals {
                committed_kg: kg(s.committed),
                delivered_kg: kg(s.delivered),
                remaining_kg: kg(s.remaining),
                advance: money(s.advance),
            },
        })
    }

    /// `agent_cash`: the acting agent's cash in a campaign.
    ///
    /// # Errors
    /// Unknown campaign; store errors.
    pub fn agent_cash(&self, req: &CampaignRequest) -> R<CashView> {
        let camp: CampaignId = self.id("campagne", &req.campaign_id)?;
        let actor = self.actor()?;
        let c = sene_app::reports::agent_cash(&self.ledger.db(), actor.agent, camp)
            .map_err(|e| self.app(&e))?;
        Ok(CashView {
            received: money(c.received),
            paid_out: money(c.paid_out),
            fertilizer_cash: money(c.fertilizer_cash),
            to_return: money(c.to_return),
        })
    }

    // ----- sync -----

    /// `sync_status`. At the union office (this store is the hub's, the secretariat signed
    /// in) nothing waits to be sent: the laptops fetch from it. What it counts instead is the
    /// laptops that lack something it holds.
    ///
    /// # Errors
    /// Store errors.
    pub fn sync_status(&mut self) -> R<SyncStatus> {
        let office = self.is_office()?;
        let devices_behind = if office {
            let behind = self
                .hub_devices()?
                .iter()
                .filter(|d| d.lacks_changes.unwrap_or(0) > 0)
                .count();
            u32::try_from(behind).unwrap_or(u32::MAX)
        } else {
            0
        };
        let get = |k: &str| self.ledger.setting(k).map_err(|e| self.app(&e));
        let db = self.ledger.db();
        let seq = db.audit_seq().map_err(|e| self.app(&e.into()))?;
        let synced = get(SYNCED_SEQ)?
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(0);
        let open = self.ledger.conflicts(true).map_err(|e| self.app(&e))?.len();
        Ok(SyncStatus {
            enrolled: get(client::keys::HUB_TOKEN)?.is_some(),
            hub_url: get(client::keys::HUB_URL)?,
            last_sync_at: get(client::keys::LAST_SYNC)?,
            pending_changes: if office {
                0
            } else {
                u32::try_from((seq - synced).max(0)).unwrap_or(u32::MAX)
            },
            open_conflicts: u32::try_from(open).unwrap_or(u32::MAX),
            office,
            devices_behind,
        })
    }

    fn mark_synced(&mut self) -> R<()> {
        let seq = self
            .ledger
            .db()
            .audit_seq()
            .map_err(|e| self.app(&e.into()))?;
        self.ledger
            .set_setting(SYNCED_SEQ, &seq.to_string())
            .map_err(|e| self.app(&e))
    }

    /// `sync_now`: one sync with the hub, with progress.
    ///
    /// # Errors
    /// Not enrolled, network, refused.
    pub fn sync_now(&mut self, progress: &mut dyn FnMut(&SyncProgress)) -> R<SyncResult> {
        let lang = self.lang;
        let fr = lang == Lang::Fr;
        if self.is_office()? {
            // the office is the hub: it has no hub to sync with (never « run sene enroll »)
            return Err(ApiError::new(
                ErrorCode::SyncRefused,
                if fr {
                    "ce poste est le bureau de l'union : ce sont les portables qui se synchronisent avec lui (serveur du bureau ci-dessous), ou apportent leur fichier USB"
                } else {
                    "this computer is the union office: the laptops sync with it (office server below), or bring their USB file"
                },
            ));
        }
        let r = client::sync(&mut self.ledger, None, &mut |p| {
            let (step, done) = match p {
                client::Progress::Sending { round, docs, .. } => (
                    if fr {
                        format!("Envoi de {docs} document(s) (tour {round})")
                    } else {
                        format!("Sending {docs} document(s) (round {round})")
                    },
                    *round * 2 - 1,
                ),
                client::Progress::Received { round, records, .. } => (
                    if fr {
                        format!("{records} enregistrement(s) reçu(s) (tour {round})")
                    } else {
                        format!("{records} record(s) received (round {round})")
                    },
                    *round * 2,
                ),
                client::Progress::Done => (
                    if fr { "Terminé" } else { "Done" }.to_owned(),
                    client::MAX_ROUNDS * 2,
                ),
            };
            progress(&SyncProgressView {
                step,
                done: u32::try_from(done).unwrap_or(0),
                total: u32::try_from(client::MAX_ROUNDS * 2).unwrap_or(0),
            });
        })
        .map_err(|e| ApiError::from_hub(&e, lang))?;
        self.mark_synced()?;
        let refused: Vec<String> = r
            .refused_by_hub
            .iter()
            .map(|x| format!("{} : {}", x.doc, x.reason))
            .collect();
        Ok(SyncResult {
            sent: u32::try_from(r.pushed.records).unwrap_or(u32::MAX),
            received: u32::try_from(r.pulled.records).unwrap_or(u32::MAX),
            conflicts: u32::try_from(r.pulled.conflicts + r.pushed.conflicts).unwrap_or(u32::MAX),
            message: if fr {
                format!(
                    "Synchronisé : {} enregistrement(s) envoyés, {} reçus, {} aller-retour(s)",
                    r.pushed.records, r.pulled.records, r.rounds
                )
            } else {
                format!(
                    "Synced: {} record(s) sent, {} received, {} round trip(s)",
                    r.pushed.records, r.pulled.records, r.rounds
                )
            },
            refused,
        })
    }

    pub(crate) fn file_error(&self, path: &Path, e: &std::io::Error) -> ApiError {
        ApiError::new(
            ErrorCode::File,
            if self.lang == Lang::Fr {
                format!("fichier {} : {e}", path.display())
            } else {
                format!("file {}: {e}", path.display())
            },
        )
    }

    /// `usb_export`: on a laptop, what the office lacks, to a file for a USB stick; at the
    /// union office, what the laptop `device_id` lacks (see [`Session::office_usb_export`]).
    /// Its steps go to `progress`.
    ///
    /// # Errors
    /// Not enrolled; at the office, no laptop named or one that cannot receive a file; the file
    /// cannot be written.
    pub fn usb_export(
        &mut self,
        req: &UsbExportRequest,
        progress: &mut dyn FnMut(&SyncProgress),
    ) -> R<FileWritten> {
        if self.is_unenrolled()? {
            return self.office_usb_export(req, progress);
        }
        let lang = self.lang;
        let path = self.usb_path(&req.path)?;
        let step = usb_steps(lang, 3);
        progress(&step(
            1,
            "Préparation du fichier pour le bureau",
            "Preparing the file for the office",
        ));
        sene_hub::usb::device_ready(&self.ledger)
            .map_err(|e| ApiError::from_hub(&e, lang))?
            .map_err(|r| self.refusal(&r, "path"))?;
        let bytes = sene_hub::usb::device_export(&mut self.ledger)
            .map_err(|e| ApiError::from_hub(&e, lang))?;
        progress(&step(2, "Écriture du fichier", "Writing the file"));
        write_durably(&path, &bytes).map_err(|e| self.file_error(&path, &e))?;
        progress(&step(3, "Terminé", "Done"));
        Ok(FileWritten {
            path: path.display().to_string(),
            bytes: u32::try_from(bytes.len()).unwrap_or(u32::MAX),
        })
    }

    /// `usb_import`: on a laptop, a file from the union office; at the office, a laptop's file
    /// (see [`Session::office_usb_import`]). Its steps go to `progress`.
    ///
    /// # Errors
    /// Unreadable, forged or altered file; refused documents.
    pub fn usb_import(
        &mut self,
        req: &PathRequest,
        progress: &mut dyn FnMut(&SyncProgress),
    ) -> R<SyncResult> {
        if self.is_unenrolled()? {
            return self.office_usb_import(req, progress);
        }
        let lang = self.lang;
        let path = self.usb_path(&req.path)?;
        let step = usb_steps(lang, 3);
        progress(&step(1, "Lecture du fichier", "Reading the file"));
        let bytes = std::fs::read(&path).map_err(|e| self.file_error(&path, &e))?;
        progress(&step(2, "Vérification et fusion", "Checking and merging"));
        sene_hub::usb::device_check(&self.ledger, &bytes)
            .map_err(|e| ApiError::from_hub(&e, lang))?
            .map_err(|r| self.refusal(&r, "path"))?;
        let r = sene_hub::usb::device_import(&mut self.ledger, &bytes)
            .map_err(|e| ApiError::from_hub(&e, lang))?;
        progress(&step(3, "Terminé", "Done"));
        Ok(self.import_result(&r))
    }

    /// What a USB import did, for the window.
    pub(crate) fn import_result(&self, r: &sene_app::sync::SyncReport) -> SyncResult {
        SyncResult {
            sent: 0,
            received: u32::try_from(r.records).unwrap_or(u32::MAX),
            conflicts: u32::try_from(r.conflicts).unwrap_or(u32::MAX),
            refused: r
                .refused
                .iter()
                .map(|x| format!("{} : {}", x.doc, x.reason))
                .collect(),
            message: if self.lang == Lang::Fr {
                format!("Importé : {} enregistrement(s)", r.records)
            } else {
                format!("Imported: {} record(s)", r.records)
            },
        }
    }

    /// The path typed for a USB file, refused at its field when empty.
    pub(crate) fn usb_path(&self, text: &str) -> R<PathBuf> {
        match text.trim() {
            "" => Err(ApiError::invalid(
                self.lang,
                "path",
                "donnez le chemin du fichier",
                "give the file's path",
            )),
            t => Ok(PathBuf::from(t)),
        }
    }

    // ----- backups -----

    /// `backup_status`: when this store was last backed up, whether that is more than
    /// [`BACKUP_MAX_AGE_HOURS`] ago by the ledger's clock (or never: the window warns), the
    /// removable drives mounted now (with their free space when `df` answers at once), and a
    /// folder to suggest (`<store folder>/sauvegardes`).
    ///
    /// # Errors
    /// Store errors.
    pub fn backup_status(&self) -> R<BackupStatusView> {
        let last = self.ledger.last_backup().map_err(|e| self.app(&e))?;
        let file = self
            .ledger
            .setting(sene_store::backup::keys::LAST_BACKUP_FILE)
            .map_err(|e| self.app(&e))?;
        let overdue = self.ledger.backup_overdue().map_err(|e| self.app(&e))?;
        let found = crate::drives::removable_drives();
        let free = crate::drives::free_bytes(&found);
        let drives = found
            .iter()
            .zip(free)
            .map(|(p, f)| DriveView {
                path: p.display().to_string(),
                name: p.file_name().map_or_else(
                    || p.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                ),
                free_label: f.map(|b| crate::drives::size_label(b, self.lang)),
            })
            .collect();
        let store = self
            .store_path
            .clone()
            .or_else(|| self.ledger.store().path().map(Path::to_path_buf));
        // the folder the office's hub backs up into is the one suggested
        let hub_dir = store
            .as_deref()
            .map(|s| sene_hub::schedule::BackupSchedule::default_for(s).dir);
        let default_dir = hub_dir.as_ref().map(|d| d.display().to_string());
        let standby = match &hub_dir {
            Some(dir) if self.require_office().is_ok() => {
                let st = sene_hub::standby::status(dir, self.ledger.now());
                let device = st.copy.as_ref().map(|c| {
                    c.device
                        .parse()
                        .ok()
                        .and_then(|id| self.ledger.db().device(id).ok().flatten())
                        .map_or_else(|| c.device.clone(), |d| d.label)
                });
                Some(StandbyView {
                    device,
                    kept_at: st.copy.as_ref().map(|c| c.kept_at.clone()),
                    made_at: st.copy.as_ref().map(|c| c.made_at.clone()),
                    current: st.current,
                    overdue: st.overdue,
                })
            }
            _ => None,
        };
        Ok(BackupStatusView {
            last_backup_at: last,
            last_backup_file: file,
            overdue,
            drives,
            default_dir,
            standby,
        })
    }

    /// An error about the backup folder `dir`, naming the field `dir`.
    fn backup_dir_error(&self, dir: &Path, fr: &str, en: &str) -> ApiError {
        ApiError {
            code: ErrorCode::File,
            message: if self.lang == Lang::Fr {
                format!("dossier {} : {fr}", dir.display())
            } else {
                format!("folder {}: {en}", dir.display())
            },
            field: Some("dir".into()),
        }
    }

    /// `backup_now`: a consistent copy of the live store into the folder `dir` (created if
    /// needed), with its manifest and, when the store is encrypted, its key file; then read
    /// back and checked (SHA-256, integrity, manifest) before it is called done. Progress goes
    /// to `progress` (started, writing, verifying, done). The store is never changed but for
    /// the date of its last backup.
    ///
    /// # Errors
    /// An empty or relative folder, a folder that cannot be made or written (field `dir`), a
    /// full drive, a copy that does not verify.
    pub fn backup_now(
        &mut self,
        req: &BackupRequest,
        progress: &mut dyn FnMut(&BackupProgressView),
    ) -> R<BackupView> {
        let lang = self.lang;
        let fr = lang == Lang::Fr;
        let typed = req.dir.trim();
        if typed.is_empty() {
            return Err(ApiError::invalid(
                lang,
                "dir",
                "choisissez une clé USB ou saisissez un dossier",
                "choose a USB drive or type a folder",
            ));
        }
        let dir = PathBuf::from(typed);
        if !dir.is_absolute() {
            return Err(ApiError::invalid(
                lang,
                "dir",
                &format!(
                    "« {typed} » n'est pas un chemin complet (par exemple /media/secretariat/CLE)"
                ),
                &format!("\"{typed}\" is not a full path (for example /media/secretariat/KEY)"),
            ));
        }
        const TOTAL: u32 = 4;
        let mut step = |stage: &str, done: u32, text_fr: &str, text_en: &str| {
            progress(&BackupProgressView {
                stage: stage.into(),
                step: if fr { text_fr } else { text_en }.to_owned(),
                done,
                total: TOTAL,
            });
        };
        step(
            "started",
            1,
            "Préparation du dossier",
            "Preparing the folder",
        );
        // the folder first, so that a wrong one is named as such (not as the store's problem)
        std::fs::create_dir_all(&dir).map_err(|e| {
            self.backup_dir_error(
                &dir,
                &format!("impossible de le créer ({e}) : vérifiez que la clé est branchée, ou choisissez un autre dossier"),
                &format!("cannot be created ({e}): check that the drive is plugged in, or choose another folder"),
            )
        })?;
        let probe = dir.join(format!(".sene-essai-{}", std::process::id()));
        std::fs::write(&probe, b"sene")
            .and_then(|()| std::fs::remove_file(&probe))
            .map_err(|e| {
                let _ = std::fs::remove_file(&probe);
                self.backup_dir_error(
                    &dir,
                    &format!("on ne peut pas y écrire ({e}) : la clé est peut-être protégée en écriture ; choisissez un autre dossier"),
                    &format!("cannot be written to ({e}): the drive may be write-protected; choose another folder"),
                )
            })?;
        step("writing", 2, "Copie de la base", "Copying the store");
        let key = self.data_key();
        let made = self.ledger.backup_into(&dir, key.as_ref()).map_err(|e| {
            use sene_store::backup::BackupError as B;
            match &e {
                B::Store(StoreError::DiskFull) => self.backup_dir_error(
                    &dir,
                    "la clé ou le disque est plein : libérez de la place ou prenez une autre clé (la base n'a pas changé)",
                    "the drive or disk is full: free some space or use another drive (the store did not change)",
                ),
                B::Store(StoreError::ReadOnly { .. } | StoreError::CannotOpen { .. }) => self
                    .backup_dir_error(
                        &dir,
                        "on ne peut pas y écrire la copie : choisissez un autre dossier (la base n'a pas changé)",
                        "the copy cannot be written there: choose another folder (the store did not change)",
                    ),
                B::Io { path, .. } if Path::new(path).starts_with(&dir) => {
                    let mut err = ApiError::from_backup(&e, lang);
                    err.field = Some("dir".into());
                    err
                }
                _ => ApiError::from_backup(&e, lang),
            }
        })?;
        step(
            "verifying",
            3,
            "Vérification de la copie",
            "Checking the copy",
        );
        let manifest = sene_store::backup::verify(&made.file, key.as_ref())
            .map_err(|e| ApiError::from_backup(&e, lang))?;
        step("done", 4, "Sauvegarde vérifiée", "Backup checked");
        Ok(BackupView {
            file: made.file.display().to_string(),
            file_name: manifest.file.clone(),
            dir: made.file.parent().unwrap_or(&dir).display().to_string(),
            manifest: sene_store::backup::manifest_path(&made.file)
                .display()
                .to_string(),
            bytes: manifest.bytes.to_string(),
            size_label: crate::drives::size_label(manifest.bytes, lang),
            made_at: manifest.made_at.clone(),
            sha256_prefix: manifest.sha256.chars().take(16).collect(),
            encrypted: manifest.encrypted,
        })
    }

    /// `list_conflicts`: the open conflicts, as a person reads them.
    ///
    /// # Errors
    /// Store errors.
    pub fn conflicts(&mut self) -> R<Vec<ConflictView>> {
        let ids: Vec<String> = self
            .ledger
            .conflicts(true)
            .map_err(|e| self.app(&e))?
            .into_iter()
            .map(|c| c.id)
            .collect();
        ids.iter().map(|id| self.conflict_view(id)).collect()
    }

    /// `receipt`: a receipt as the window shows it, also saved as PDF under the receipts
    /// folder (the same file is rewritten on a reprint: receipts are made from immutable
    /// records, so a reprint is the same receipt).
    ///
    /// # Errors
    /// Unknown kind or record; the PDF cannot be written.
    pub fn receipt(&mut self, req: &ReceiptRequest) -> R<ReceiptView> {
        let mut v = self.receipt_view(req)?;
        match v.pdf_error.take() {
            Some(e) => Err(ApiError::new(ErrorCode::File, e)),
            None => Ok(v),
        }
    }

    /// The receipt of a record just saved: a PDF that cannot be written is said in
    /// `pdf_error`, never as a failed save (the agent who tried again would record twice).
    ///
    /// # Errors
    /// Unknown record (not after a save).
    fn receipt_after_save(&mut self, req: &ReceiptRequest) -> R<ReceiptView> {
        self.receipt_view(req)
    }

    /// A receipt's view; its PDF written, or why not in `pdf_error`.
    fn receipt_view(&mut self, req: &ReceiptRequest) -> R<ReceiptView> {
        use sene_app::receipts::ReceiptRef as Ref;
        let r = match req.kind.trim() {
            "disbursement" => Ref::Disbursement(self.id("avance", &req.id)?),
            "delivery" => Ref::Delivery(self.id("livraison", &req.id)?),
            "distribution" => Ref::Distribution(self.id("distribution", &req.id)?),
            "payment" => Ref::BalancePayment(self.id("paiement", &req.id)?),
            "reversal" => Ref::Reversal(self.id("annulation", &req.id)?),
            other => {
                return Err(ApiError::invalid(
                    self.lang,
                    "type de reçu",
                    &format!("« {other} » inconnu"),
                    &format!("\"{other}\" unknown"),
                ))
            }
        };
        let doc =
            sene_app::receipts::receipt_doc(&self.ledger.db(), r).map_err(|e| self.app(&e))?;
        let pdf = sene_print::render_receipt(&doc);
        let path = self
            .receipts_dir
            .join(format!("{}.pdf", sene_app::export::file_name(&doc.number)));
        let pdf_error = std::fs::create_dir_all(&self.receipts_dir)
            .and_then(|()| write_durably(&path, &pdf))
            .err()
            .map(|e| self.file_error(&path, &e).message);
        Ok(ReceiptView {
            pdf_error,
            kind: req.kind.trim().to_owned(),
            id: r.id(),
            title: doc.title.clone(),
            date: date(doc.date),
            union_name: doc.union_name.clone(),
            cooperative: doc.cooperative_name.clone(),
            member: doc.member_name.clone(),
            member_number: doc.member_number.clone(),
            agent: doc.agent_name.clone(),
            lines: doc
                .lines
                .iter()
                .map(|(label, value)| ReceiptLine {
                    label: label.clone(),
                    value: value.clone(),
                })
                .chain(std::iter::once(ReceiptLine {
                    label: doc.amount_label.clone(),
                    value: doc.amount_in_figures(),
                }))
                .collect(),
            amount: money(doc.amount),
            amount_words: doc.amount_in_words(),
            cancels: doc.cancels.as_ref().map(|n| match &doc.cancel_reason {
                Some(why) => format!("{n} ({why})"),
                None => n.clone(),
            }),
            number: doc.number,
            pdf_path: path.display().to_string(),
        })
    }
}

/// Writes a file and syncs it to disk before saying it is written.
/// The `n`-th of `total` steps of a USB exchange, said in `lang`, for the progress bar.
pub(crate) fn usb_steps(lang: Lang, total: u32) -> impl Fn(u32, &str, &str) -> SyncProgress {
    move |n, fr, en| SyncProgressView {
        step: if lang == Lang::Fr { fr } else { en }.to_owned(),
        done: n,
        total,
    }
}

pub(crate) fn write_durably(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("part");
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}

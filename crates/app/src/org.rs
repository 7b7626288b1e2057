//! The organisation: cooperatives, warehouses, agents, devices, members.

use sene_domain::validate::{self, limits::TEXT_MAX};
use sene_domain::*;
use sene_store::Table;
use serde::{Deserialize, Serialize};

use crate::{missing, AppError, Fresh, Result, Tx};

/// Register a cooperative.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCooperative {
    pub id: Option<CooperativeId>,
    pub code: String,
    pub name: String,
    pub village: String,
    pub commune: String,
    pub cercle: String,
    pub region: String,
}

/// Register a warehouse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewWarehouse {
    pub id: Option<WarehouseId>,
    pub cooperative_id: CooperativeId,
    pub name: String,
    pub capacity: Option<Kg>,
}

/// Register an agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAgent {
    pub id: Option<AgentId>,
    pub name: String,
    pub phone: Option<String>,
    pub role: Role,
    pub cooperatives: Vec<CooperativeId>,
}

/// Register a device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewDevice {
    pub id: Option<DeviceId>,
    pub label: String,
    pub receipt_prefix: String,
}

/// Register a member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewMember {
    pub id: Option<MemberId>,
    pub cooperative_id: CooperativeId,
    pub number: String,
    pub full_name: String,
    pub sex: Sex,
    pub birth_year: Option<i32>,
    pub village: String,
    pub phone: Option<String>,
    pub nina: Option<String>,
    pub crops: Vec<CropFamily>,
}

fn opt_text(field: &'static str, v: Option<&String>) -> Result<Option<String>> {
    Ok(match v {
        Some(s) if !s.trim().is_empty() => Some(validate::text(field, s, TEXT_MAX)?),
        _ => None,
    })
}

impl Tx<'_, '_> {
    /// Registers a cooperative (secretariat).
    ///
    /// # Errors
    /// Validation, [`AppError::Taken`] for a code in use, [`AppError::IdConflict`].
    pub fn add_cooperative(&self, cmd: NewCooperative) -> Result<Cooperative> {
        self.require(self.role.may_configure(), "configurer l'union")?;
        let c = Cooperative {
            id: cmd.id.unwrap_or_default(),
            code: validate::code("code de coopérative", &cmd.code, 8)?,
            name: validate::text("nom", &cmd.name, TEXT_MAX)?,
            village: validate::text("village", &cmd.village, TEXT_MAX)?,
            commune: validate::text("commune", &cmd.commune, TEXT_MAX)?,
            cercle: validate::text("cercle", &cmd.cercle, TEXT_MAX)?,
            region: validate::text("région", &cmd.region, TEXT_MAX)?,
        };
        let cmd = NewCooperative {
            id: Some(c.id),
            ..cmd
        };
        let id = c.id.to_string();
        if self.fresh(
            Table::Cooperatives,
            "add_cooperative",
            "coopérative",
            &id,
            &cmd,
        )? == Fresh::Repeat
        {
            return self
                .db
                .cooperative(c.id)?
                .ok_or_else(|| missing("coopérative", c.id));
        }
        if self.db.cooperative_by_code(&c.code)?.is_some() {
            return Err(AppError::Taken {
                what: "le code de coopérative",
                value: c.code,
            });
        }
        self.db.insert_cooperative(&c)?;
        self.audit("add_cooperative", "cooperative", &id, &cmd)?;
        Ok(c)
    }

    /// Registers a warehouse of a cooperative (secretariat).
    ///
    /// # Errors
    /// Validation, unknown cooperative, [`AppError::IdConflict`].
    pub fn add_warehouse(&self, cmd: NewWarehouse) -> Result<Warehouse> {
        self.require(self.role.may_configure(), "configurer l'union")?;
        let w = Warehouse {
            id: cmd.id.unwrap_or_default(),
            cooperative_id: cmd.cooperative_id,
            name: validate::text("nom du magasin", &cmd.name, TEXT_MAX)?,
            capacity: cmd
                .capacity
                .map(|k| validate::positive_kg("capacité", k, validate::limits::LOT_KG_MAX))
                .transpose()?,
        };
        let cmd = NewWarehouse {
            id: Some(w.id),
            ..cmd
        };
        let id = w.id.to_string();
        if self.fresh(Table::Warehouses, "add_warehouse", "magasin", &id, &cmd)? == Fresh::Repeat {
            return self
                .db
                .warehouse(w.id)?
                .ok_or_else(|| missing("magasin", w.id));
        }
        self.db
            .cooperative(w.cooperative_id)?
            .ok_or_else(|| missing("coopérative", w.cooperative_id))?;
        if self
            .db
            .warehouses(Some(w.cooperative_id))?
            .iter()
            .any(|x| x.name == w.name)
        {
            return Err(AppError::Taken {
                what: "le nom de magasin",
                value: w.name,
            });
        }
        self.db.insert_warehouse(&w)?;
        self.audit("add_warehouse", "warehouse", &id, &cmd)?;
        Ok(w)
    }

    /// Registers an agent (secretariat).
    ///
    /// # Errors
    /// Validation, unknown cooperative, [`AppError::IdConflict`].
    pub fn add_agent(&self, cmd: NewAgent) -> Result<Agent> {
        self.require(self.role.may_configure(), "configurer l'union")?;
        let a = Agent {
            id: cmd.id.unwrap_or_default(),
            name: validate::text("nom de l'agent", &cmd.name, TEXT_MAX)?,
            phone: cmd
                .phone
                .as_deref()
                .filter(|p| !p.trim().is_empty())
                .map(validate::phone)
                .transpose()?,
            role: cmd.role,
            cooperatives: {
                let mut v = cmd.cooperatives.clone();
                v.sort();
                v.dedup();
                v
            },
        };
        let cmd = NewAgent {
            id: Some(a.id),
            ..cmd
        };
        let id = a.id.to_string();
        if self.fresh(Table::Agents, "add_agent", "agent", &id, &cmd)? == Fresh::Repeat {
            return self.db.agent(a.id)?.ok_or_else(|| missing("agent", a.id));
        }
        for c in &a.cooperatives {
            self.db
                .cooperative(*c)?
                .ok_or_else(|| missing("coopérative", c))?;
        }
        self.db.insert_agent(&a)?;
        self.audit("add_agent", "agent", &id, &cmd)?;
        Ok(a)
    }

    /// Registers a device with a receipt prefix unique in the union (secretariat).
    ///
    /// # Errors
    /// Validation, [`AppError::Taken`] for a prefix in use, [`AppError::IdConflict`].
    pub fn add_device(&self, cmd: NewDevice) -> Result<Device> {
        self.require(self.role.may_configure(), "configurer l'union")?;
        let dv = Device {
            id: cmd.id.unwrap_or_default(),
            label: validate::text("nom de l'appareil", &cmd.label, TEXT_MAX)?,
            receipt_prefix: sene_domain::receipt::prefix(&cmd.receipt_prefix)?,
        };
        let cmd = NewDevice {
            id: Some(dv.id),
            ..cmd
        };
        let id = dv.id.to_string();
        if self.fresh(Table::Devices, "add_device", "appareil", &id, &cmd)? == Fresh::Repeat {
            return self
                .db
                .device(dv.id)?
                .ok_or_else(|| missing("appareil", dv.id));
        }
        if self.db.prefix_taken(&dv.receipt_prefix)? {
            return Err(AppError::Taken {
                what: "le préfixe de reçu",
                value: dv.receipt_prefix,
            });
        }
        self.db.insert_device(&dv)?;
        self.audit("add_device", "device", &id, &cmd)?;
        Ok(dv)
    }

    /// Marks a device revoked in the union document (secretariat), so that every laptop
    /// holds the revocation and an office put back from an older backup gets it back. The
    /// hub's tokens are revoked by `sene_hub::enroll::revoke`, which calls this.
    ///
    /// # Errors
    /// [`AppError::Forbidden`], unknown device.
    pub fn revoke_device(&self, id: DeviceId) -> Result<bool> {
        self.require(self.role.may_configure(), "configurer l'union")?;
        if self.db.device(id)?.is_none() {
            return Err(missing("appareil", id));
        }
        let at = self.now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let changed = self.db.mark_device_revoked(id, &at)?;
        if changed {
            self.audit("revoke_device", "device", &id.to_string(), &id)?;
        }
        Ok(changed)
    }

    /// A member as registered from `cmd`: every field validated (the one place a member's
    /// fields are checked, at registration and at a correction).
    pub(crate) fn member_from(&self, cmd: &NewMember) -> Result<Member> {
        let this_year = chrono::Datelike::year(&self.now.date_naive());
        let mut crops = cmd.crops.clone();
        crops.sort();
        crops.dedup();
        Ok(Member {
            id: cmd.id.unwrap_or_default(),
            cooperative_id: cmd.cooperative_id,
            number: validate::code(
                "numéro de membre",
                &cmd.number,
                validate::limits::MEMBER_NUMBER_MAX,
            )?,
            full_name: validate::text("nom complet", &cmd.full_name, TEXT_MAX)?,
            sex: cmd.sex,
            birth_year: cmd
                .birth_year
                .map(|y| validate::birth_year(y, this_year))
                .transpose()?,
            village: validate::text("village", &cmd.village, TEXT_MAX)?,
            phone: opt_text("téléphone", cmd.phone.as_ref())?
                .map(|p| validate::phone(&p))
                .transpose()?,
            nina: opt_text("NINA", cmd.nina.as_ref())?
                .map(|n| validate::nina(&n))
                .transpose()?,
            crops,
            status: MemberStatus::Active,
            left_on: None,
            moved_to: None,
            moved_from: None,
            registered_on: Some(self.now.date_naive()),
        })
    }

    /// Members that look like the one about to be registered: same phone, same NINA, or the
    /// same name (accents and case folded) in the same village with a birth year within one.
    ///
    /// # Errors
    /// Validation of the command.
    pub fn probable_duplicates(&self, cmd: &NewMember) -> Result<Vec<Member>> {
        let m = self.member_from(cmd)?;
        Ok(self
            .db
            .probable_duplicates(
                m.phone.as_deref(),
                m.nina.as_deref(),
                &m.full_name,
                &m.village,
                m.birth_year,
            )?
            .into_iter()
            .filter(|x| x.id != m.id)
            .collect())
    }

    /// Registers a member. Refused with [`AppError::ProbableDuplicate`] when another member
    /// looks the same, unless `confirmed` (the agent checked it is another person).
    ///
    /// # Errors
    /// Validation, unknown cooperative, [`AppError::DuplicateMemberNumber`],
    /// [`AppError::ProbableDuplicate`], [`AppError::IdConflict`].
    pub fn register_member(&self, cmd: NewMember, confirmed: bool) -> Result<Member> {
        let m = self.member_from(&cmd)?;
        let cmd = NewMember {
            id: Some(m.id),
            ..cmd
        };
        let id = m.id.to_string();
        if self.fresh(Table::Members, "register_member", "membre", &id, &cmd)? == Fresh::Repeat {
            return self.db.member(m.id)?.ok_or_else(|| missing("membre", m.id));
        }
        let coop = self
            .db
            .cooperative(m.cooperative_id)?
            .ok_or_else(|| missing("coopérative", m.cooperative_id))?;
        if self
            .db
            .member_by_number(m.cooperative_id, &m.number)?
            .is_some()
        {
            return Err(AppError::DuplicateMemberNumber {
                number: m.number,
                cooperative: coop.name,
            });
        }
        if !confirmed {
            let dups = self.probable_duplicates(&cmd)?;
            if !dups.is_empty() {
                let candidates = dups
                    .iter()
                    .map(|d| format!("{} {} ({})", d.number, d.full_name, d.village))
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(AppError::ProbableDuplicate { candidates });
            }
        }
        self.db.insert_member(&m)?;
        self.audit("register_member", "member", &id, &cmd)?;
        Ok(m)
    }
}

//! The organisation: the union, its cooperatives, warehouses, agents and devices.

use rusqlite::{params, OptionalExtension};
use sene_domain::*;

use super::{Db, R};
use crate::codec::RowExt;

impl Db<'_> {
    /// Inserts the union.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_union(&self, u: &Union) -> R<()> {
        self.conn.execute(
            "INSERT INTO unions (id, name, region) VALUES (?1,?2,?3)",
            params![u.id.to_string(), u.name, u.region],
        )?;
        Ok(())
    }

    /// The union, if the store has one.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn union(&self) -> R<Option<Union>> {
        Ok(self
            .conn
            .query_row("SELECT id, name, region FROM unions LIMIT 1", [], |r| {
                Ok(Union {
                    id: r.parse(0)?,
                    name: r.get(1)?,
                    region: r.get(2)?,
                })
            })
            .optional()?)
    }

    /// Inserts a cooperative.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_cooperative(&self, c: &Cooperative) -> R<()> {
        self.conn.execute(
            "INSERT INTO cooperatives (id, code, name, village, commune, cercle, region) VALUES (?1,?2,?3,?4,?5,?6,?7)",
            params![c.id.to_string(), c.code, c.name, c.village, c.commune, c.cercle, c.region],
        )?;
        Ok(())
    }

    pub(crate) fn coop_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Cooperative> {
        Ok(Cooperative {
            id: r.parse(0)?,
            code: r.get(1)?,
            name: r.get(2)?,
            village: r.get(3)?,
            commune: r.get(4)?,
            cercle: r.get(5)?,
            region: r.get(6)?,
        })
    }

    /// A cooperative by id.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn cooperative(&self, id: CooperativeId) -> R<Option<Cooperative>> {
        Ok(self.conn.query_row(
            "SELECT id, code, name, village, commune, cercle, region FROM cooperatives WHERE id = ?1",
            [id.to_string()], Self::coop_row).optional()?)
    }

    /// A cooperative by code.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn cooperative_by_code(&self, code: &str) -> R<Option<Cooperative>> {
        Ok(self.conn.query_row(
            "SELECT id, code, name, village, commune, cercle, region FROM cooperatives WHERE code = ?1",
            [code], Self::coop_row).optional()?)
    }

    /// Every cooperative, by code.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn cooperatives(&self) -> R<Vec<Cooperative>> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, code, name, village, commune, cercle, region FROM cooperatives ORDER BY code",
        )?;
        let rows = st.query_map([], Self::coop_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Inserts a warehouse.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_warehouse(&self, w: &Warehouse) -> R<()> {
        self.conn.execute(
            "INSERT INTO warehouses (id, cooperative_id, name, capacity_t) VALUES (?1,?2,?3,?4)",
            params![
                w.id.to_string(),
                w.cooperative_id.to_string(),
                w.name,
                w.capacity.map(|k| k.tenths())
            ],
        )?;
        Ok(())
    }

    pub(crate) fn warehouse_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Warehouse> {
        let cap: Option<i64> = r.get(3)?;
        Ok(Warehouse {
            id: r.parse(0)?,
            cooperative_id: r.parse(1)?,
            name: r.get(2)?,
            capacity: cap.and_then(|t| Kg::from_tenths(t).ok()),
        })
    }

    /// A warehouse by id.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn warehouse(&self, id: WarehouseId) -> R<Option<Warehouse>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, cooperative_id, name, capacity_t FROM warehouses WHERE id = ?1",
                [id.to_string()],
                Self::warehouse_row,
            )
            .optional()?)
    }

    /// Warehouses, of one cooperative or all.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn warehouses(&self, coop: Option<CooperativeId>) -> R<Vec<Warehouse>> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, cooperative_id, name, capacity_t FROM warehouses WHERE ?1 IS NULL OR cooperative_id = ?1 ORDER BY name",
        )?;
        let rows = st.query_map([coop.map(|c| c.to_string())], Self::warehouse_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Inserts an agent and their cooperatives.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_agent(&self, a: &Agent) -> R<()> {
        self.conn.execute(
            "INSERT INTO agents (id, name, phone, role) VALUES (?1,?2,?3,?4)",
            params![a.id.to_string(), a.name, a.phone, a.role.code()],
        )?;
        for c in &a.cooperatives {
            self.conn.execute(
                "INSERT INTO agent_cooperatives (agent_id, cooperative_id) VALUES (?1,?2)",
                params![a.id.to_string(), c.to_string()],
            )?;
        }
        Ok(())
    }

    /// An agent by id.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn agent(&self, id: AgentId) -> R<Option<Agent>> {
        let a = self
            .conn
            .query_row(
                "SELECT id, name, phone, role FROM agents WHERE id = ?1",
                [id.to_string()],
                |r| {
                    Ok(Agent {
                        id: r.parse(0)?,
                        name: r.get(1)?,
                        phone: r.get(2)?,
                        role: r.parse(3)?,
                        cooperatives: Vec::new(),
                    })
                },
            )
            .optional()?;
        let Some(mut a) = a else { return Ok(None) };
        let mut st = self.conn.prepare_cached(
            "SELECT cooperative_id FROM agent_cooperatives WHERE agent_id = ?1 ORDER BY cooperative_id",
        )?;
        a.cooperatives = st
            .query_map([id.to_string()], |r| r.parse(0))?
            .collect::<Result<_, _>>()?;
        Ok(Some(a))
    }

    /// Every agent id, by name.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn agent_ids(&self) -> R<Vec<AgentId>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT id FROM agents ORDER BY name")?;
        let rows = st.query_map([], |r| r.parse(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Inserts a device.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_device(&self, dv: &Device) -> R<()> {
        self.conn.execute(
            "INSERT INTO devices (id, label, receipt_prefix) VALUES (?1,?2,?3)",
            params![dv.id.to_string(), dv.label, dv.receipt_prefix],
        )?;
        Ok(())
    }

    /// A device by id.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn device(&self, id: DeviceId) -> R<Option<Device>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, label, receipt_prefix FROM devices WHERE id = ?1",
                [id.to_string()],
                |r| {
                    Ok(Device {
                        id: r.parse(0)?,
                        label: r.get(1)?,
                        receipt_prefix: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    /// Whether a receipt prefix is taken.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn prefix_taken(&self, prefix: &str) -> R<bool> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM devices WHERE receipt_prefix = ?1",
                [prefix],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }
}

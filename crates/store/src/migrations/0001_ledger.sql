-- The season ledger: every record of DOMAIN.md as projection rows, and the audit trail.
-- Units: money INTEGER francs; weights INTEGER tenths of a kg (*_t); percentages INTEGER tenths
-- of a point (*_t); rates TEXT decimals; dates TEXT YYYY-MM-DD; instants TEXT RFC 3339 UTC.

CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

CREATE TABLE unions (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, region TEXT NOT NULL
) STRICT;

CREATE TABLE cooperatives (
  id TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL, village TEXT NOT NULL,
  commune TEXT NOT NULL, cercle TEXT NOT NULL, region TEXT NOT NULL
) STRICT;

CREATE TABLE warehouses (
  id TEXT PRIMARY KEY, cooperative_id TEXT NOT NULL REFERENCES cooperatives(id),
  name TEXT NOT NULL, capacity_t INTEGER, UNIQUE (cooperative_id, name)
) STRICT;

CREATE TABLE agents (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, phone TEXT, role TEXT NOT NULL
) STRICT;

CREATE TABLE agent_cooperatives (
  agent_id TEXT NOT NULL REFERENCES agents(id),
  cooperative_id TEXT NOT NULL REFERENCES cooperatives(id),
  PRIMARY KEY (agent_id, cooperative_id)
) STRICT;

CREATE TABLE devices (
  id TEXT PRIMARY KEY, label TEXT NOT NULL, receipt_prefix TEXT NOT NULL UNIQUE,
  last_seq INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE members (
  id TEXT PRIMARY KEY, cooperative_id TEXT NOT NULL REFERENCES cooperatives(id),
  number TEXT NOT NULL, full_name TEXT NOT NULL, folded_name TEXT NOT NULL, sex TEXT NOT NULL,
  birth_year INTEGER, village TEXT NOT NULL, phone TEXT, nina TEXT, crops TEXT NOT NULL,
  status TEXT NOT NULL
) STRICT;
-- Not UNIQUE: two devices may register the same number offline; the use case refuses it
-- locally and a merge flags it as a probable duplicate instead of blocking the sync.
CREATE INDEX members_number ON members(cooperative_id, number);
CREATE INDEX members_phone ON members(phone) WHERE phone IS NOT NULL;
CREATE INDEX members_nina ON members(nina) WHERE nina IS NOT NULL;
CREATE INDEX members_folded ON members(folded_name);

CREATE TABLE campaigns (
  id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, family TEXT NOT NULL,
  advance_share TEXT NOT NULL, fee_kind TEXT NOT NULL, fee_rate TEXT NOT NULL,
  contract_start TEXT NOT NULL, contract_end TEXT NOT NULL,
  delivery_start TEXT NOT NULL, delivery_end TEXT NOT NULL,
  max_moisture_t INTEGER NOT NULL, max_impurity_t INTEGER NOT NULL, bag_tare_t INTEGER NOT NULL,
  over_delivery_bought INTEGER NOT NULL
) STRICT;

CREATE TABLE campaign_prices (
  campaign_id TEXT NOT NULL REFERENCES campaigns(id), crop TEXT NOT NULL,
  base_price INTEGER NOT NULL, over_price INTEGER, PRIMARY KEY (campaign_id, crop)
) STRICT;

CREATE TABLE contracts (
  id TEXT PRIMARY KEY, member_id TEXT NOT NULL REFERENCES members(id),
  campaign_id TEXT NOT NULL REFERENCES campaigns(id), crop TEXT NOT NULL,
  committed_t INTEGER NOT NULL, base_price INTEGER NOT NULL, state TEXT NOT NULL,
  requested_on TEXT NOT NULL, decided_by TEXT REFERENCES agents(id), decided_on TEXT
) STRICT;
CREATE INDEX contracts_member ON contracts(member_id, campaign_id);
CREATE INDEX contracts_campaign ON contracts(campaign_id);

CREATE TABLE disbursements (
  id TEXT PRIMARY KEY, contract_id TEXT NOT NULL REFERENCES contracts(id),
  amount INTEGER NOT NULL, date TEXT NOT NULL, mode TEXT NOT NULL,
  agent_id TEXT NOT NULL REFERENCES agents(id), device_id TEXT NOT NULL REFERENCES devices(id),
  receipt TEXT NOT NULL UNIQUE, recorded_at TEXT NOT NULL
) STRICT;
CREATE INDEX disbursements_contract ON disbursements(contract_id);

CREATE TABLE deliveries (
  id TEXT PRIMARY KEY, member_id TEXT NOT NULL REFERENCES members(id),
  contract_id TEXT NOT NULL REFERENCES contracts(id), crop TEXT NOT NULL,
  warehouse_id TEXT NOT NULL REFERENCES warehouses(id), bags INTEGER NOT NULL,
  gross_t INTEGER NOT NULL, moisture_t INTEGER NOT NULL, impurity_t INTEGER NOT NULL,
  net_t INTEGER NOT NULL, accepted_t INTEGER NOT NULL, date TEXT NOT NULL,
  agent_id TEXT NOT NULL REFERENCES agents(id), device_id TEXT NOT NULL REFERENCES devices(id),
  receipt TEXT NOT NULL UNIQUE, recorded_at TEXT NOT NULL
) STRICT;
CREATE INDEX deliveries_contract ON deliveries(contract_id);
CREATE INDEX deliveries_member ON deliveries(member_id);

CREATE TABLE reversals (
  id TEXT PRIMARY KEY, target_kind TEXT NOT NULL, target_id TEXT NOT NULL,
  reason TEXT NOT NULL, date TEXT NOT NULL,
  agent_id TEXT NOT NULL REFERENCES agents(id), device_id TEXT NOT NULL REFERENCES devices(id),
  receipt TEXT NOT NULL UNIQUE, recorded_at TEXT NOT NULL
) STRICT;
-- Not UNIQUE: two devices may void the same record offline; both reversals stand (the record
-- is reversed once in every report) and the merge flags the pair.
CREATE INDEX reversals_target ON reversals(target_id);

CREATE TABLE fertilizer_products (
  id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, bag_weight_t INTEGER NOT NULL,
  price_per_bag INTEGER NOT NULL
) STRICT;

CREATE TABLE fertilizer_needs (
  id TEXT PRIMARY KEY, member_id TEXT NOT NULL REFERENCES members(id),
  campaign_id TEXT NOT NULL REFERENCES campaigns(id),
  product_id TEXT NOT NULL REFERENCES fertilizer_products(id), bags INTEGER NOT NULL
) STRICT;

CREATE TABLE group_orders (
  id TEXT PRIMARY KEY, cooperative_id TEXT NOT NULL REFERENCES cooperatives(id),
  campaign_id TEXT NOT NULL REFERENCES campaigns(id),
  product_id TEXT NOT NULL REFERENCES fertilizer_products(id), bags INTEGER NOT NULL,
  date TEXT NOT NULL
) STRICT;

CREATE TABLE purchase_orders (
  id TEXT PRIMARY KEY, campaign_id TEXT NOT NULL REFERENCES campaigns(id),
  supplier TEXT NOT NULL, product_id TEXT NOT NULL REFERENCES fertilizer_products(id),
  bags INTEGER NOT NULL, unit_cost INTEGER NOT NULL, date TEXT NOT NULL
) STRICT;

CREATE TABLE receptions (
  id TEXT PRIMARY KEY, purchase_order_id TEXT NOT NULL REFERENCES purchase_orders(id),
  warehouse_id TEXT NOT NULL REFERENCES warehouses(id), bags_expected INTEGER NOT NULL,
  bags_received INTEGER NOT NULL, date TEXT NOT NULL, note TEXT NOT NULL
) STRICT;

CREATE TABLE fertilizer_distributions (
  id TEXT PRIMARY KEY, member_id TEXT NOT NULL REFERENCES members(id),
  campaign_id TEXT NOT NULL REFERENCES campaigns(id),
  product_id TEXT NOT NULL REFERENCES fertilizer_products(id), bags INTEGER NOT NULL,
  price_per_bag INTEGER NOT NULL, cash_paid INTEGER NOT NULL, date TEXT NOT NULL,
  agent_id TEXT NOT NULL REFERENCES agents(id), device_id TEXT NOT NULL REFERENCES devices(id),
  receipt TEXT NOT NULL UNIQUE, recorded_at TEXT NOT NULL
) STRICT;
CREATE INDEX distributions_member ON fertilizer_distributions(member_id, campaign_id);

CREATE TABLE sale_lots (
  id TEXT PRIMARY KEY, campaign_id TEXT NOT NULL REFERENCES campaigns(id), crop TEXT NOT NULL,
  buyer TEXT NOT NULL, price_per_kg INTEGER NOT NULL, costs INTEGER NOT NULL,
  date TEXT NOT NULL, paid INTEGER NOT NULL
) STRICT;

-- warehouse_id has no foreign key: sale lots live in the union document, which every device
-- holds, while warehouses live in each cooperative's registry, which only its devices hold.
-- The use case checks the warehouse and its stock when the lot is made.
CREATE TABLE sale_lot_sources (
  lot_id TEXT NOT NULL REFERENCES sale_lots(id),
  warehouse_id TEXT NOT NULL, kg_t INTEGER NOT NULL,
  PRIMARY KEY (lot_id, warehouse_id)
) STRICT;

CREATE TABLE lenders (
  id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, kind TEXT NOT NULL
) STRICT;

CREATE TABLE credit_lines (
  id TEXT PRIMARY KEY, lender_id TEXT NOT NULL REFERENCES lenders(id),
  campaign_id TEXT REFERENCES campaigns(id), principal INTEGER NOT NULL,
  annual_rate TEXT NOT NULL, start TEXT NOT NULL, maturity TEXT NOT NULL,
  guarantee_share TEXT NOT NULL
) STRICT;

CREATE TABLE drawdowns (
  id TEXT PRIMARY KEY, credit_line_id TEXT NOT NULL REFERENCES credit_lines(id),
  amount INTEGER NOT NULL, date TEXT NOT NULL
) STRICT;

CREATE TABLE lender_repayments (
  id TEXT PRIMARY KEY, credit_line_id TEXT NOT NULL REFERENCES credit_lines(id),
  principal INTEGER NOT NULL, interest INTEGER NOT NULL, date TEXT NOT NULL
) STRICT;

CREATE TABLE fund_allocations (
  id TEXT PRIMARY KEY, campaign_id TEXT NOT NULL REFERENCES campaigns(id),
  agent_id TEXT NOT NULL REFERENCES agents(id),
  cooperative_id TEXT NOT NULL REFERENCES cooperatives(id), amount INTEGER NOT NULL,
  date TEXT NOT NULL
) STRICT;

CREATE TABLE balance_payments (
  id TEXT PRIMARY KEY, member_id TEXT NOT NULL REFERENCES members(id),
  campaign_id TEXT NOT NULL REFERENCES campaigns(id), amount INTEGER NOT NULL,
  date TEXT NOT NULL, mode TEXT NOT NULL,
  agent_id TEXT NOT NULL REFERENCES agents(id), device_id TEXT NOT NULL REFERENCES devices(id),
  receipt TEXT NOT NULL UNIQUE, recorded_at TEXT NOT NULL
) STRICT;

-- One row per use case: who, on which device, when, what, on which record, with the command
-- as given (canonical JSON) so that a record id sent twice can be told apart from a reuse.
CREATE TABLE audit (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, agent_id TEXT NOT NULL,
  device_id TEXT NOT NULL, action TEXT NOT NULL, record_kind TEXT NOT NULL,
  record_id TEXT NOT NULL, payload TEXT NOT NULL
) STRICT;
CREATE INDEX audit_record ON audit(record_id);

-- Money records and the audit trail are never updated nor deleted: corrections are reversals.
CREATE TRIGGER disbursements_immutable_u BEFORE UPDATE ON disbursements BEGIN SELECT RAISE(ABORT, 'immutable money record'); END;
CREATE TRIGGER disbursements_immutable_d BEFORE DELETE ON disbursements BEGIN SELECT RAISE(ABORT, 'immutable money record'); END;
CREATE TRIGGER deliveries_immutable_u BEFORE UPDATE ON deliveries BEGIN SELECT RAISE(ABORT, 'immutable money record'); END;
CREATE TRIGGER deliveries_immutable_d BEFORE DELETE ON deliveries BEGIN SELECT RAISE(ABORT, 'immutable money record'); END;
CREATE TRIGGER reversals_immutable_u BEFORE UPDATE ON reversals BEGIN SELECT RAISE(ABORT, 'immutable money record'); END;
CREATE TRIGGER reversals_immutable_d BEFORE DELETE ON reversals BEGIN SELECT RAISE(ABORT, 'immutable money record'); END;
CREATE TRIGGER distributions_immutable_u BEFORE UPDATE ON fertilizer_distributions BEGIN SELECT RAISE(ABORT, 'immutable money record'); END;
CREATE TRIGGER distributions_immutable_d BEFORE DELETE ON fertilizer_distributions BEGIN SELECT RAISE(ABORT, 'immutable money record'); END;
CREATE TRIGGER drawdowns_immutable_u BEFORE UPDATE ON drawdowns BEGIN SELECT RAISE(ABORT, 'immutable money record'); END;
CREATE TRIGGER drawdowns_immutable_d BEFORE DELETE ON drawdowns BEGIN SELECT RAISE(ABORT, 'immutable money record'); END;
CREATE TRIGGER repayments_immutable_u BEFORE UPDATE ON lender_repayments BEGIN SELECT RAISE(ABORT, 'immutable money record'); END;
CREATE TRIGGER repayments_immutable_d BEFORE DELETE ON lender_repayments BEGIN SELECT RAISE(ABORT, 'immutable money record'); END;
CREATE TRIGGER allocations_immutable_u BEFORE UPDATE ON fund_allocations BEGIN SELECT RAISE(ABORT, 'immutable money record'); END;
CREATE TRIGGER allocations_immutable_d BEFORE DELETE ON fund_allocations BEGIN SELECT RAISE(ABORT, 'immutable money record'); END;
CREATE TRIGGER payments_immutable_u BEFORE UPDATE ON balance_payments BEGIN SELECT RAISE(ABORT, 'immutable money record'); END;
CREATE TRIGGER payments_immutable_d BEFORE DELETE ON balance_payments BEGIN SELECT RAISE(ABORT, 'immutable money record'); END;
CREATE TRIGGER sale_lots_immutable_d BEFORE DELETE ON sale_lots BEGIN SELECT RAISE(ABORT, 'immutable money record'); END;
CREATE TRIGGER sale_lots_immutable_u BEFORE UPDATE ON sale_lots
  WHEN NOT (OLD.paid = 0 AND NEW.paid = 1 AND NEW.id = OLD.id AND NEW.campaign_id = OLD.campaign_id
    AND NEW.crop = OLD.crop AND NEW.buyer = OLD.buyer AND NEW.price_per_kg = OLD.price_per_kg
    AND NEW.costs = OLD.costs AND NEW.date = OLD.date)
  BEGIN SELECT RAISE(ABORT, 'immutable money record'); END;
CREATE TRIGGER sale_lot_sources_immutable_u BEFORE UPDATE ON sale_lot_sources BEGIN SELECT RAISE(ABORT, 'immutable money record'); END;
CREATE TRIGGER sale_lot_sources_immutable_d BEFORE DELETE ON sale_lot_sources BEGIN SELECT RAISE(ABORT, 'immutable money record'); END;
CREATE TRIGGER audit_immutable_u BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'immutable audit'); END;
CREATE TRIGGER audit_immutable_d BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'immutable audit'); END;

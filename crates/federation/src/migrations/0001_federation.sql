-- The federation's PostgreSQL schema, version 1.
--
-- `unions`: the unions it follows (a union's hub address and the federation's token there),
-- with the freshness of each; `union_pulls`: every pull, good or failed. Every projected table
-- is partitioned by `union_id` (one partition per union, made by `add_union`): the key of a
-- union's rows, the column a distributed PostgreSQL (Citus) would distribute them by, and
-- what a union's pull replaces in one transaction. `union_id` is the federation's own id for
-- the union (UUIDv7 minted when it is added); the union's id in its own store is
-- `unions.source_union_id`, learnt at its first pull. Money in whole francs CFA (BIGINT),
-- weights in kg with one decimal (NUMERIC), percents as NUMERIC. A money record is never
-- deleted at a union, it is reversed: `reversed` says so, and figures leave those rows out.
-- `row_hash` is the first 8 bytes of the SHA-256 of the row as projected: a pull writes only
-- the rows whose hash changed.

CREATE TABLE unions (
  union_id uuid PRIMARY KEY,
  name text NOT NULL UNIQUE,
  -- NULL: a union without a link, read only from its USB files
  hub_url text,
  -- the federation's bearer token at that hub (a secret: keep this database to its staff)
  token text NOT NULL,
  device_id uuid NOT NULL,
  agent_id uuid NOT NULL,
  source_union_id uuid,
  source_name text,
  region text,
  added_at timestamptz NOT NULL DEFAULT now(),
  last_pull_at timestamptz,
  -- the last pull that ended well: its data is what the tables show
  last_ok_at timestamptz,
  last_error text,
  last_error_code text,
  last_error_at timestamptz,
  -- the projection holds the replica as of last_ok_at (false until a first projection, or
  -- after a projection that failed: the next pull projects even without news)
  projected boolean NOT NULL DEFAULT false
);

CREATE TABLE union_pulls (
  id bigserial PRIMARY KEY,
  union_id uuid NOT NULL REFERENCES unions(union_id) ON DELETE CASCADE,
  source text NOT NULL CHECK (source IN ('http', 'usb')),
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  ok boolean NOT NULL,
  error text,
  error_code text,
  bytes_sent bigint NOT NULL DEFAULT 0,
  bytes_received bigint NOT NULL DEFAULT 0,
  -- records the replica merged from the union (its sync report)
  records_merged bigint NOT NULL DEFAULT 0,
  -- rows written to (and deleted from) the projected tables
  rows_written bigint NOT NULL DEFAULT 0,
  rows_deleted bigint NOT NULL DEFAULT 0,
  projection_ms bigint NOT NULL DEFAULT 0
);
CREATE INDEX union_pulls_by_union ON union_pulls (union_id, started_at DESC);

-- what a page shows of each union's freshness: its last good data and its age, its last error
CREATE VIEW union_status AS
SELECT u.union_id, u.name, u.hub_url, u.source_name, u.region, u.last_pull_at, u.last_ok_at,
       now() - u.last_ok_at AS age, u.last_error, u.last_error_code, u.last_error_at,
       (u.last_error_at IS NOT NULL AND (u.last_ok_at IS NULL OR u.last_error_at > u.last_ok_at)) AS failing
FROM unions u;

CREATE TABLE cooperatives (
  union_id uuid NOT NULL, id uuid NOT NULL, row_hash bigint NOT NULL,
  code text NOT NULL, name text NOT NULL, village text NOT NULL, commune text NOT NULL,
  cercle text NOT NULL, region text NOT NULL,
  PRIMARY KEY (union_id, id)
) PARTITION BY LIST (union_id);

CREATE TABLE campaigns (
  union_id uuid NOT NULL, id uuid NOT NULL, row_hash bigint NOT NULL,
  name text NOT NULL,
  -- rice | dry_cereals | shallot (sene_domain::CropFamily)
  family text NOT NULL,
  advance_share numeric NOT NULL,
  contract_start date NOT NULL, contract_end date NOT NULL,
  delivery_start date NOT NULL, delivery_end date NOT NULL,
  PRIMARY KEY (union_id, id)
) PARTITION BY LIST (union_id);

-- no name, phone nor national id: the federation counts members, it does not need to know them
CREATE TABLE members (
  union_id uuid NOT NULL, id uuid NOT NULL, row_hash bigint NOT NULL,
  cooperative_id uuid NOT NULL, number text NOT NULL, sex text NOT NULL, birth_year integer,
  village text NOT NULL, crops text NOT NULL, status text NOT NULL,
  registered_on date, left_on date,
  PRIMARY KEY (union_id, id)
) PARTITION BY LIST (union_id);

-- a contract with its figures as sene-app composes them (crates/app/src/progress.rs), so a
-- national figure is a sum: `counted` says whether it counts in a campaign's figures; then
-- committed_kg, delivered_kg (accepted kg of deliveries not reversed), advance_due (owed only
-- once approved), disbursed (advances not reversed), value, recovered (advance recovered in kind)
CREATE TABLE contracts (
  union_id uuid NOT NULL, id uuid NOT NULL, row_hash bigint NOT NULL,
  member_id uuid NOT NULL, cooperative_id uuid NOT NULL, campaign_id uuid NOT NULL,
  crop text NOT NULL, state text NOT NULL, base_price bigint NOT NULL,
  requested_on date NOT NULL, decided_on date,
  counted boolean NOT NULL,
  committed_kg numeric(14,1) NOT NULL, delivered_kg numeric(14,1) NOT NULL,
  advance_due bigint NOT NULL, disbursed bigint NOT NULL, value bigint NOT NULL,
  recovered bigint NOT NULL,
  PRIMARY KEY (union_id, id)
) PARTITION BY LIST (union_id);

-- advances paid
CREATE TABLE disbursements (
  union_id uuid NOT NULL, id uuid NOT NULL, row_hash bigint NOT NULL,
  contract_id uuid NOT NULL, campaign_id uuid NOT NULL, cooperative_id uuid NOT NULL,
  amount bigint NOT NULL, date date NOT NULL, mode text NOT NULL, receipt text NOT NULL,
  reversed boolean NOT NULL,
  PRIMARY KEY (union_id, id)
) PARTITION BY LIST (union_id);

CREATE TABLE deliveries (
  union_id uuid NOT NULL, id uuid NOT NULL, row_hash bigint NOT NULL,
  member_id uuid NOT NULL, contract_id uuid NOT NULL, campaign_id uuid NOT NULL,
  cooperative_id uuid NOT NULL, warehouse_id uuid NOT NULL, crop text NOT NULL,
  bags integer NOT NULL, gross_kg numeric(14,1) NOT NULL, net_kg numeric(14,1) NOT NULL,
  accepted_kg numeric(14,1) NOT NULL, moisture numeric(5,1) NOT NULL,
  impurity numeric(5,1) NOT NULL, date date NOT NULL, receipt text NOT NULL,
  reversed boolean NOT NULL,
  PRIMARY KEY (union_id, id)
) PARTITION BY LIST (union_id);

-- fertilizer handed out to members (cost = bags × price per bag; cash_paid at hand-out, the
-- rest on credit, recovered at settlement)
CREATE TABLE fertilizer (
  union_id uuid NOT NULL, id uuid NOT NULL, row_hash bigint NOT NULL,
  member_id uuid NOT NULL, campaign_id uuid NOT NULL, cooperative_id uuid NOT NULL,
  product_id uuid NOT NULL, product text NOT NULL, bags integer NOT NULL,
  price_per_bag bigint NOT NULL, cost bigint NOT NULL, cash_paid bigint NOT NULL,
  date date NOT NULL, receipt text NOT NULL, reversed boolean NOT NULL,
  PRIMARY KEY (union_id, id)
) PARTITION BY LIST (union_id);

CREATE TABLE sale_lots (
  union_id uuid NOT NULL, id uuid NOT NULL, row_hash bigint NOT NULL,
  campaign_id uuid NOT NULL, crop text NOT NULL, buyer text NOT NULL,
  -- Σ kg taken from its warehouses
  kg numeric(14,1) NOT NULL,
  price_per_kg bigint NOT NULL, costs bigint NOT NULL, date date NOT NULL, paid boolean NOT NULL,
  reversed boolean NOT NULL,
  PRIMARY KEY (union_id, id)
) PARTITION BY LIST (union_id);

-- a lender as each union names it; the same institution across unions is matched on
-- `name_key` (its name folded: lower case, single spaces)
CREATE TABLE lenders (
  union_id uuid NOT NULL, id uuid NOT NULL, row_hash bigint NOT NULL,
  name text NOT NULL, name_key text NOT NULL, kind text NOT NULL,
  PRIMARY KEY (union_id, id)
) PARTITION BY LIST (union_id);

CREATE TABLE credit_lines (
  union_id uuid NOT NULL, id uuid NOT NULL, row_hash bigint NOT NULL,
  lender_id uuid NOT NULL, campaign_id uuid, principal bigint NOT NULL,
  annual_rate numeric NOT NULL, start date NOT NULL, maturity date NOT NULL,
  guarantee_share numeric NOT NULL,
  PRIMARY KEY (union_id, id)
) PARTITION BY LIST (union_id);

CREATE TABLE drawdowns (
  union_id uuid NOT NULL, id uuid NOT NULL, row_hash bigint NOT NULL,
  credit_line_id uuid NOT NULL, lender_id uuid NOT NULL, amount bigint NOT NULL,
  date date NOT NULL, reversed boolean NOT NULL,
  PRIMARY KEY (union_id, id)
) PARTITION BY LIST (union_id);

CREATE TABLE repayments (
  union_id uuid NOT NULL, id uuid NOT NULL, row_hash bigint NOT NULL,
  credit_line_id uuid NOT NULL, lender_id uuid NOT NULL, principal bigint NOT NULL,
  interest bigint NOT NULL, date date NOT NULL, reversed boolean NOT NULL,
  PRIMARY KEY (union_id, id)
) PARTITION BY LIST (union_id);

CREATE INDEX contracts_by_campaign ON contracts (union_id, campaign_id);
CREATE INDEX deliveries_by_campaign ON deliveries (union_id, campaign_id);
CREATE INDEX disbursements_by_campaign ON disbursements (union_id, campaign_id);
CREATE INDEX fertilizer_by_campaign ON fertilizer (union_id, campaign_id);
CREATE INDEX credit_lines_by_lender ON credit_lines (union_id, lender_id);

-- the tables partitioned by union, in the order a pull writes them: add_union makes one
-- partition of each for the new union, and a later migration that adds a partitioned table
-- lists it here and makes its partitions for the unions already there
CREATE TABLE partitioned_tables (name text PRIMARY KEY, rank integer NOT NULL UNIQUE);
INSERT INTO partitioned_tables VALUES
  ('cooperatives', 1), ('campaigns', 2), ('members', 3), ('contracts', 4),
  ('disbursements', 5), ('deliveries', 6), ('fertilizer', 7), ('sale_lots', 8),
  ('lenders', 9), ('credit_lines', 10), ('drawdowns', 11), ('repayments', 12);

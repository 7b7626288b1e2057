-- The national page's accounts and sessions (#23 item 3).
--
-- `web_accounts`: who may sign in to the national page. `staff` (the federation's staff) see
-- every union and every lender; `lender` accounts are bound to one lender institution by
-- `lender_key`, the same folded name (`lenders.name_key`: lower case, single spaces) that
-- matches one institution across unions, and see only that lender's credit lines, drawdowns
-- and repayments. The password is kept as Argon2id of it under a random salt (never the
-- password). `web_sessions`: a signed-in browser, known by the SHA-256 of the random token
-- its cookie carries (a stolen copy of this table opens no session), until `expires_at`.

CREATE TABLE web_accounts (
  name text PRIMARY KEY,
  role text NOT NULL CHECK (role IN ('staff', 'lender')),
  lender_key text,
  salt bytea NOT NULL,
  hash bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((role = 'lender') = (lender_key IS NOT NULL))
);

CREATE TABLE web_sessions (
  token_hash bytea PRIMARY KEY,
  account text NOT NULL REFERENCES web_accounts(name) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX web_sessions_by_account ON web_sessions (account);

-- the national figures group lenders by name_key across unions
CREATE INDEX lenders_by_key ON lenders (name_key);
CREATE INDEX sale_lots_by_campaign ON sale_lots (union_id, campaign_id);
CREATE INDEX drawdowns_by_lender ON drawdowns (union_id, lender_id);
CREATE INDEX repayments_by_lender ON repayments (union_id, lender_id);

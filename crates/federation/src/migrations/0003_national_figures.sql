-- The national page's figures per union and campaign (#23 item 3), summed from the projected
-- tables once per change of a union instead of at every page view: at 50 unions the sums over
-- 300,000 contracts and 500,000 fertilizer hand-outs took ~1 s a view, these rows take a few
-- ms. A union's rows are written again (web::queries::refresh) when a pull that wrote or
-- deleted rows of it is newer than `national_figures_as_of.pull_id`; the page refreshes what
-- is stale before it reads, so it never shows figures older than the projection.

CREATE TABLE national_figures (
  union_id uuid NOT NULL REFERENCES unions(union_id) ON DELETE CASCADE,
  campaign_id uuid NOT NULL,
  members bigint NOT NULL, contracts bigint NOT NULL,
  -- tenths of a kg
  committed_tenths bigint NOT NULL, delivered_tenths bigint NOT NULL,
  advance_due bigint NOT NULL, disbursed bigint NOT NULL, recovered bigint NOT NULL,
  fertilizer_bags bigint NOT NULL, fertilizer_cost bigint NOT NULL,
  lots bigint NOT NULL, lots_tenths bigint NOT NULL, lots_value bigint NOT NULL,
  PRIMARY KEY (union_id, campaign_id)
);

-- the last pull of each union (union_pulls.id) whose rows national_figures holds
CREATE TABLE national_figures_as_of (
  union_id uuid PRIMARY KEY REFERENCES unions(union_id) ON DELETE CASCADE,
  pull_id bigint NOT NULL
);

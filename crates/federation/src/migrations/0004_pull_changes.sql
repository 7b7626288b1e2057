-- The national page's check for stale figures (web::queries::refresh, at each page view) looks
-- for a union's pulls that changed rows since its figures: a partial index of those pulls
-- only, so the check stays a few index probes however many pulls with nothing new a season
-- leaves (96 a day per union: at 50 unions, 864,000 rows in 180 days, ~0.8 s a view without it).
CREATE INDEX union_pulls_changes ON union_pulls (union_id, id)
  WHERE ok AND rows_written + rows_deleted > 0;

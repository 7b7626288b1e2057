-- The price complement: when the campaign's lots of a crop sold above the base price net of
-- costs, the secretariat decides a complement in francs per accepted kg, paid to the members
-- at settlement. A column of the campaign's price, so it is synced in the union document with
-- the price it completes; a locked line keeps what it counted.
ALTER TABLE campaign_prices ADD COLUMN complement INTEGER NOT NULL DEFAULT 0 CHECK (complement >= 0);
ALTER TABLE settlement_lines ADD COLUMN complement INTEGER NOT NULL DEFAULT 0;

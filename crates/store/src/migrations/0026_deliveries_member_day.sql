-- Issue #20: a delivery merged at the hub is flagged when the same member has another
-- delivery of the same day and gross weight (a look-alike: the same sacks recorded twice).
-- The look-alikes of a merge's deliveries are read in one query, which found each member's
-- deliveries by `deliveries_member (member_id)` and then read each of them from the table for
-- its date, weight and id: one table page per delivery of the member. With those columns in
-- the index the query reads the index alone. The index keeps its name and still serves every
-- query by member (its first column); the store keeps the same number of indexes to write.
DROP INDEX deliveries_member;
CREATE INDEX deliveries_member ON deliveries(member_id, date, gross_t, id);

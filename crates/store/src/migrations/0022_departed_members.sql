-- Issue #20: the anomaly queue looks for records dated on or after a member's departure. The
-- departed are few (none in most unions), but without an index on the departure the query
-- walked every contract, advance and delivery of the campaign to find them (~11 ms at union
-- scale, 76 ms at 4x). A partial index holds only the members who left: the query starts from
-- them, and a member who never left writes nothing to it.
CREATE INDEX members_departed ON members(left_on) WHERE left_on IS NOT NULL;

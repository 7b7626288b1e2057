-- Issue #21 item 3 / #20 item 1: the anomaly queue lists the weighing tickets scanned at the
-- office that did not match the books, kept in the audit trail under the action
-- 'ticket_scanned'. The trail holds every write (~96,000 rows at union scale): without an
-- index the queue scanned it whole for a handful of scans (18-23 ms cold). A partial index
-- holds only those scans; every other write adds nothing to it.
CREATE INDEX audit_ticket_scans ON audit(seq) WHERE action = 'ticket_scanned';

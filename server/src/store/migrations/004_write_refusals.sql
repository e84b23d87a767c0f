-- A unit of work runs as a list of statements with no application code between them (one batch on
-- a remote database, store/operations.ts), so a rule that must refuse the whole unit (a debit
-- larger than the balance, a reused idempotency key, an event already handled) is written in SQL:
-- the unit inserts a row here naming the reason, every such row breaks the constraint of that
-- name, and the statement fails with "CHECK constraint failed: <reason>", which rolls the unit
-- back. The table stays empty.
CREATE TABLE write_refusals (
  reason TEXT NOT NULL,
  CONSTRAINT idempotency_conflict CHECK (reason <> 'idempotency_conflict'),
  CONSTRAINT insufficient_credits CHECK (reason <> 'insufficient_credits'),
  CONSTRAINT balance_overflow CHECK (reason <> 'balance_overflow'),
  CONSTRAINT event_already_processed CHECK (reason <> 'event_already_processed'),
  CONSTRAINT unknown_refusal CHECK (reason IS NULL)
);

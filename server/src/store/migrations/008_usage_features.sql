-- Usage carries what it was spent on and when the host metered it (POST /usage `feature` and
-- `occurred_at`), for the usage summary: spend per day, split by feature. Both stay NULL on every
-- other kind of entry. Usage written before this migration was metered when it was recorded.
ALTER TABLE ledger_entries ADD COLUMN feature TEXT;
ALTER TABLE ledger_entries ADD COLUMN occurred_at TEXT;

UPDATE ledger_entries SET occurred_at = created_at WHERE kind = 'usage';

-- The usage summary reads one account's usage in a time window, grouped by day and feature: this
-- partial index holds only usage rows and every column the query needs, so it is one range scan of
-- the window (no table lookups), whatever the size of the rest of the ledger. (`kind` is in it
-- too, though always 'usage': without it SQLite reads each row to check the query's kind = 'usage'.)
CREATE INDEX ledger_usage_by_time ON ledger_entries (account_id, occurred_at, feature, amount_cents, kind)
  WHERE kind = 'usage';

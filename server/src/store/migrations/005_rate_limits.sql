-- Rate-limit token buckets shared by every server process on this database (store/rate-limits.ts):
-- one row per limited key, updated by a single UPSERT. A bucket untouched for a minute is full
-- again, the same as no row, so such rows are deleted from time to time.
CREATE TABLE rate_limits (
  key TEXT PRIMARY KEY,
  tokens REAL NOT NULL,
  updated_ms INTEGER NOT NULL,
  granted INTEGER NOT NULL
);
CREATE INDEX rate_limits_by_age ON rate_limits (updated_ms);

-- Money that goes back out (refunds, disputes) and the reconciliation checkpoint.
--
-- A ledger row now says which Stripe object it came from (`stripe_object_id`: the Checkout
-- session, invoice, refund or dispute) and, for a take-back, which grant it takes back from
-- (`reverses_source_id`: the grant's `source_id`). A refund or a dispute takes back at most what
-- the grant still holds (the grant plus every row reversing it), computed in SQL inside the unit
-- (store/operations.ts, `reverseGrant`), so two deliveries racing can never take more than the grant.
--
-- The kinds `dispute` and `dispute_reinstated` are new, and SQLite cannot change a CHECK in place:
-- the table is rebuilt with its rows, sequence and indexes as they were (rows keep their `seq`).
-- On 1,000,000 ledger rows it takes about 5 s here (as 003 does), once, at start-up.

CREATE TABLE ledger_entries_006 (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  amount_cents INTEGER NOT NULL CHECK (amount_cents <> 0),
  kind TEXT NOT NULL CHECK (kind IN ('purchase', 'subscription', 'welcome', 'usage', 'grant', 'refund', 'dispute', 'dispute_reinstated')),
  source_id TEXT NOT NULL UNIQUE,
  description TEXT,
  balance_after_cents INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  stripe_object_id TEXT,
  reverses_source_id TEXT
);

INSERT INTO ledger_entries_006 (seq, id, account_id, amount_cents, kind, source_id, description, balance_after_cents, created_at, stripe_object_id)
SELECT seq, id, account_id, amount_cents, kind, source_id, description, balance_after_cents, created_at,
  -- Rows written before: top-ups are keyed by their Checkout session, included credit by its invoice.
  CASE WHEN kind IN ('purchase', 'subscription') THEN source_id END
FROM ledger_entries;

-- AUTOINCREMENT never reuses a sequence number: the new table goes on from the old one's counter
-- (which may be above the last row's seq), not from its largest row.
UPDATE sqlite_sequence SET seq = (SELECT seq FROM sqlite_sequence WHERE name = 'ledger_entries')
WHERE name = 'ledger_entries_006' AND EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'ledger_entries');
INSERT INTO sqlite_sequence (name, seq)
SELECT 'ledger_entries_006', seq FROM sqlite_sequence
WHERE name = 'ledger_entries' AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'ledger_entries_006');

DROP TABLE ledger_entries;
ALTER TABLE ledger_entries_006 RENAME TO ledger_entries;
CREATE INDEX ledger_entries_by_account ON ledger_entries (account_id, seq);
CREATE INDEX ledger_entries_by_reversed ON ledger_entries (reverses_source_id) WHERE reverses_source_id IS NOT NULL;

-- How far the replay of Stripe's events list has got: the `created` time (Stripe's clock, Unix
-- seconds) up to which every listed event was applied. It only moves forward (billing/reconcile.ts).
CREATE TABLE reconcile_checkpoints (
  id TEXT PRIMARY KEY,
  event_created INTEGER NOT NULL,
  events_applied INTEGER NOT NULL DEFAULT 0,
  updated_at TEXT NOT NULL
);

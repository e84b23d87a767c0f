-- Auto-recharge (billing/auto-recharge.ts): the settings an account opted into, and one row per
-- off-session charge started. `state` is the one guard against two charges in flight: a debit's
-- unit of work moves it from 'idle' to 'charging' with a conditional UPDATE, so of any number of
-- concurrent debits (in any process) at most one claims it.
CREATE TABLE auto_recharge_settings (
  account_id TEXT PRIMARY KEY,
  enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  threshold_cents INTEGER NOT NULL CHECK (threshold_cents > 0),
  amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
  monthly_cap_cents INTEGER NOT NULL CHECK (monthly_cap_cents >= amount_cents),
  state TEXT NOT NULL CHECK (state IN ('idle', 'charging', 'failed', 'action_required')),
  -- The attempt `state` is about ('charging', 'action_required', 'failed'); the last one otherwise.
  attempt_id TEXT,
  last_error_code TEXT,
  last_error_message TEXT,
  updated_at TEXT NOT NULL
);

-- `month` (UTC, YYYY-MM, of the debit that started it) counts charges against the monthly cap.
CREATE TABLE auto_recharge_attempts (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
  status TEXT NOT NULL CHECK (status IN ('charging', 'succeeded', 'failed', 'action_required', 'canceled')),
  month TEXT NOT NULL,
  payment_intent_id TEXT UNIQUE,
  error_code TEXT,
  error_message TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX auto_recharge_attempts_by_month ON auto_recharge_attempts (account_id, month);

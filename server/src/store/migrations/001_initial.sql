-- Accounts hold the cached balance; ledger_entries is the truth it must always equal.
CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  stripe_customer_id TEXT UNIQUE,
  balance_cents INTEGER NOT NULL DEFAULT 0,
  welcome_granted_at TEXT,
  default_payment_method_id TEXT,
  email TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- seq orders entries for keyset pagination; source_id makes each external fact count once.
CREATE TABLE ledger_entries (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  amount_cents INTEGER NOT NULL CHECK (amount_cents <> 0),
  kind TEXT NOT NULL CHECK (kind IN ('purchase', 'subscription', 'welcome', 'usage', 'grant', 'refund')),
  source_id TEXT NOT NULL UNIQUE,
  description TEXT,
  balance_after_cents INTEGER NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX ledger_entries_by_account ON ledger_entries (account_id, seq);

CREATE TABLE billing_sessions (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('in_progress', 'completed', 'cancelled', 'error')),
  billing_session_type TEXT NOT NULL CHECK (billing_session_type IN ('DIRECT_PAYMENT', 'MONTHLY_SUBSCRIPTION', 'SETUP')),
  price_cents INTEGER,
  price_code TEXT,
  return_url TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX billing_sessions_by_account ON billing_sessions (account_id, created_at);

-- One row per paid subscription period; stripe_invoice_payment_id (the invoice) grants it once.
CREATE TABLE subscription_access (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  user_id TEXT,
  status TEXT NOT NULL CHECK (status IN ('ACTIVE', 'DISABLED')),
  start_at TEXT NOT NULL,
  end_at TEXT NOT NULL,
  created_at TEXT NOT NULL,
  cancelled_at TEXT,
  stripe_subscription_id TEXT,
  stripe_invoice_payment_id TEXT UNIQUE
);
CREATE INDEX subscription_access_by_account ON subscription_access (account_id, end_at);
CREATE INDEX subscription_access_by_subscription ON subscription_access (stripe_subscription_id);

-- A mirror of Stripe's subscription state (status, cancel_at_period_end), refreshed from events.
CREATE TABLE subscriptions (
  stripe_subscription_id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  user_id TEXT,
  plan_id TEXT,
  status TEXT NOT NULL,
  cancel_at_period_end INTEGER NOT NULL DEFAULT 0,
  current_period_end TEXT,
  updated_at TEXT NOT NULL
);
CREATE INDEX subscriptions_by_account ON subscriptions (account_id, updated_at);

CREATE TABLE webhook_events (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  received_at TEXT NOT NULL,
  processed_at TEXT
);

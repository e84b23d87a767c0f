-- Users and organisations shared one account namespace: a token without an `account` claim
-- reached the account named by its `sub`, so a user whose id equalled an organisation's owned that
-- organisation's balance. Every account id now carries its kind, `user:<id>` or `org:<id>`
-- (server/src/identity/account-key.ts), in every table that holds one.
--
-- An account is an organisation's when any checkout session, access row or subscription shows it
-- used by another user (user_id <> account_id); otherwise it is that user's own. Where a user
-- "acme" and an organisation "acme" already shared one account, the rows cannot be told apart:
-- the whole account (balance, history, customer, subscription) goes to `org:acme`, and the user
-- starts afresh as `user:acme`. An organisation's account that no row shows used by a member
-- (only ever credited and debited through the server API) is taken for a user's.
--
-- Every id is prefixed, even one that already held a colon: `org:x` becomes `user:org:x`.

-- ledger_entries.account_id references accounts(id), and connections enforce foreign keys:
-- check them at COMMIT, when both sides carry the new keys. (The pragma ends with the transaction.)
PRAGMA defer_foreign_keys = ON;

CREATE TEMP TABLE account_kinds_003 (
  legacy_id TEXT PRIMARY KEY,
  account_key TEXT NOT NULL UNIQUE
);

INSERT INTO account_kinds_003 (legacy_id, account_key)
SELECT ids.id,
  CASE
    WHEN EXISTS (SELECT 1 FROM billing_sessions AS s WHERE s.account_id = ids.id AND s.user_id <> s.account_id)
      OR EXISTS (SELECT 1 FROM subscription_access AS s WHERE s.account_id = ids.id AND s.user_id <> s.account_id)
      OR EXISTS (SELECT 1 FROM subscriptions AS s WHERE s.account_id = ids.id AND s.user_id <> s.account_id)
    THEN 'org:' || ids.id
    ELSE 'user:' || ids.id
  END
FROM (
  SELECT id FROM accounts
  UNION SELECT account_id FROM ledger_entries
  UNION SELECT account_id FROM billing_sessions
  UNION SELECT account_id FROM subscription_access
  UNION SELECT account_id FROM subscriptions
) AS ids;

-- A unique column moves in two steps, because a legacy id may equal another account's new key
-- (`x` becomes `user:x` while a legacy `user:x` still holds that value). The staging value starts
-- with a space and the final one never does, so neither step can meet a value of the other.

-- The welcome credit is keyed `welcome:<account>` (billing/fulfilment.ts): keep it once per account.
UPDATE ledger_entries SET source_id = ' ' || source_id
WHERE kind = 'welcome' AND source_id = 'welcome:' || account_id;
UPDATE ledger_entries
SET source_id = 'welcome:' || (SELECT k.account_key FROM account_kinds_003 AS k WHERE k.legacy_id = ledger_entries.account_id)
WHERE kind = 'welcome' AND source_id = ' welcome:' || account_id;

-- The ledger is the big table: updated through its account index, 1,000,000 rows took 57 s at
-- start-up; without it and rebuilt after, 4.6 s. The index is back before accounts(id) changes,
-- whose foreign-key checks look children up through it.
DROP INDEX ledger_entries_by_account;
UPDATE ledger_entries
SET account_id = (SELECT k.account_key FROM account_kinds_003 AS k WHERE k.legacy_id = ledger_entries.account_id);
CREATE INDEX ledger_entries_by_account ON ledger_entries (account_id, seq);

UPDATE accounts SET id = ' ' || id;
UPDATE accounts
SET id = (SELECT k.account_key FROM account_kinds_003 AS k WHERE k.legacy_id = substr(accounts.id, 2));

-- billing_sessions_one_subscription_checkout is unique on account_id for open subscription checkouts.
UPDATE billing_sessions SET account_id = ' ' || account_id;
UPDATE billing_sessions
SET account_id = (SELECT k.account_key FROM account_kinds_003 AS k WHERE k.legacy_id = substr(billing_sessions.account_id, 2));

UPDATE subscription_access
SET account_id = (SELECT k.account_key FROM account_kinds_003 AS k WHERE k.legacy_id = subscription_access.account_id);

UPDATE subscriptions
SET account_id = (SELECT k.account_key FROM account_kinds_003 AS k WHERE k.legacy_id = subscriptions.account_id);

DROP TABLE account_kinds_003;

-- The cancel callback's own reference: Stripe documents {CHECKOUT_SESSION_ID} for success_url
-- only, so cancel_url also carries this server-made token to find its row by.
ALTER TABLE billing_sessions ADD COLUMN cancel_ref TEXT;
CREATE UNIQUE INDEX billing_sessions_by_cancel_ref ON billing_sessions (cancel_ref);

-- Stores written before the one-subscription-checkout rule may hold several open subscription
-- checkouts per account; the newest stays in progress so the index below can be built.
UPDATE billing_sessions
SET status = 'cancelled', updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
WHERE billing_session_type = 'MONTHLY_SUBSCRIPTION'
  AND status = 'in_progress'
  AND EXISTS (
    SELECT 1 FROM billing_sessions AS newer
    WHERE newer.account_id = billing_sessions.account_id
      AND newer.billing_session_type = 'MONTHLY_SUBSCRIPTION'
      AND newer.status = 'in_progress'
      AND (newer.created_at > billing_sessions.created_at
        OR (newer.created_at = billing_sessions.created_at AND newer.id > billing_sessions.id))
  );

-- At most one subscription Checkout in progress per account, so two tabs can never both pay.
CREATE UNIQUE INDEX billing_sessions_one_subscription_checkout ON billing_sessions (account_id)
  WHERE billing_session_type = 'MONTHLY_SUBSCRIPTION' AND status = 'in_progress';

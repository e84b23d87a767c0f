-- The default card as it was when saved (brand, last 4 digits, expiry), so /summary can say
-- "Visa •••• 4242, expires 12/34" from the store without asking Stripe. Nothing else of the card
-- is kept. One row per account that has one, written with accounts.default_payment_method_id
-- (setDefaultPaymentMethod) and deleted with it. A table of its own: later migrations add objects
-- and leave the tables of earlier ones as they were.
CREATE TABLE account_cards (
  account_id TEXT PRIMARY KEY,
  brand TEXT NOT NULL,
  last4 TEXT NOT NULL,
  exp_month INTEGER NOT NULL,
  exp_year INTEGER NOT NULL,
  updated_at TEXT NOT NULL
);

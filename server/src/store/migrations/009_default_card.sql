-- The default card as it was when saved (brand, last 4 digits, expiry), so /summary can say
-- "Visa •••• 4242, expires 12/34" from the store without asking Stripe. Nothing else of the card
-- is kept. Written with default_payment_method_id (setDefaultPaymentMethod); null when unknown.
ALTER TABLE accounts ADD COLUMN card_brand TEXT;
ALTER TABLE accounts ADD COLUMN card_last4 TEXT;
ALTER TABLE accounts ADD COLUMN card_exp_month INTEGER;
ALTER TABLE accounts ADD COLUMN card_exp_year INTEGER;

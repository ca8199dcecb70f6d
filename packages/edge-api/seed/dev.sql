-- LOCAL DEVELOPMENT SEED. Never apply to a deployed database: the API keys below are public.
-- Idempotent: safe to apply on every start (existing rows are left as they are, so changes
-- made through the API survive a restart).
--
-- Organisation `demo`: site key pk_demo (career-site tracking on), allowed origins
-- http://localhost:8080 and http://127.0.0.1:8080; API keys sk_demo_user, sk_demo_reporter,
-- sk_demo_manager, sk_demo_admin (one per role).
-- Organisation `other`: site key pk_other (origins :8081), API key sk_other_admin; for trying
-- isolation between organisations by hand.
-- People of `demo` (they sign in to the console through the demo identity provider, which
-- `scripts/seed-demo.mjs --idp` configures): user@, reporter@, manager@ and admin@demo.test, one per
-- role, each with a messaging licence (10 seats).
-- Texting for `demo` (through the SMS stand-in, examples/sms-provider): 500 monthly contacts, the
-- organisation's zone Europe/London, sender numbers in the US, Canada, the UK, Puerto Rico,
-- Poland and Australia, a WhatsApp number, and the messaging permission on every demo key.
-- `demo` has consent mode none: its example career site (examples/pasted-snippet) has no consent
-- banner, and pastes the tracking code the console shows for that mode.
INSERT INTO organisations (id, name, consent_mode) VALUES
  ('demo', 'Demo (local seed)', 'none'),
  ('other', 'Other (local seed)', 'explicit')
ON CONFLICT (id) DO NOTHING;

INSERT INTO sites (id, org_id, public_key, name, allowed_origins, tracking_enabled) VALUES
  ('site_demo', 'demo', 'pk_demo', 'Demo careers',
   '["http://localhost:8080","http://127.0.0.1:8080"]', 1),
  ('site_other', 'other', 'pk_other', 'Other careers',
   '["http://localhost:8081","http://127.0.0.1:8081"]', 1)
ON CONFLICT (id) DO NOTHING;

-- key_hash is the SHA-256 hex of the secret named in the comment column `name`.
INSERT INTO api_keys (id, org_id, name, prefix, key_hash, role) VALUES
  ('key_demo_user', 'demo', 'sk_demo_user (local seed)', 'sk_demo_', 'bfcf8551d51bf2fd197d8f0abaa9e95b790d3f5ac9abb07fa8648f767356212c', 'user'),
  ('key_demo_reporter', 'demo', 'sk_demo_reporter (local seed)', 'sk_demo_', '5f9e2ca2bfb7ebcb9c45e83a4d4761d50306168faf1efd48ae1e075d12cc58bc', 'reporter'),
  ('key_demo_manager', 'demo', 'sk_demo_manager (local seed)', 'sk_demo_', '7eeab80ffc527f55ee9bc24b487de65f661ecfa86936aa447fa47e8f1dca8cf2', 'manager'),
  ('key_demo_admin', 'demo', 'sk_demo_admin (local seed)', 'sk_demo_', '976066fd81bca4325728e8f365b487187d44231c5c7c45707a0027fa1f54f68b', 'admin'),
  ('key_other_admin', 'other', 'sk_other_admin (local seed)', 'sk_other', '941f086aca0eaea692b264dfe9ab8c466b0396252c6badb4390cfffad8b86ac5', 'admin')
ON CONFLICT (id) DO NOTHING;

INSERT INTO users (id, org_id, email, display_name, role, licence, created_at, updated_at) VALUES
  ('usr_demo_user', 'demo', 'user@demo.test', 'Uma User', 'user', 1, 1767225600000, 1767225600000),
  ('usr_demo_reporter', 'demo', 'reporter@demo.test', 'Rita Reporter', 'reporter', 1, 1767225600000, 1767225600000),
  ('usr_demo_manager', 'demo', 'manager@demo.test', 'Max Manager', 'manager', 1, 1767225600000, 1767225600000),
  ('usr_demo_admin', 'demo', 'admin@demo.test', 'Ada Admin', 'admin', 1, 1767225600000, 1767225600000)
ON CONFLICT (id) DO NOTHING;

-- Seats are set once (a manager's later change survives a restart, as everything else here).
UPDATE organisations SET seats = 10 WHERE id = 'demo' AND seats = 0;

-- Set once, like the seats (changes made later survive a restart).
UPDATE organisations SET
  monthly_contact_allowance = 500,
  time_zone = 'Europe/London',
  sender_numbers = '{"US":["+14155550100"],"CA":["+16135550100"],"GB":["+447400100200"],"PR":["+17875550100"],"PL":["+48512000001"],"AU":["+61412000001"]}',
  whatsapp_sender = '+14155550199'
WHERE id = 'demo' AND monthly_contact_allowance = 0;

UPDATE api_keys SET messaging = 1 WHERE org_id = 'demo' AND messaging = 0;

-- The directory (src/shards): the seed's organisations are on DB, and their site keys, API keys and
-- sender numbers are found there before the organisation is known (as the migrations fill them for
-- organisations stored before the directory). Harmless to repeat.
INSERT OR IGNORE INTO dir_orgs (org_id, shard, state, updated_at)
  SELECT id, 'DB', 'active', 0 FROM organisations;
INSERT OR IGNORE INTO dir_site_keys (public_key, org_id) SELECT public_key, org_id FROM sites;
INSERT OR IGNORE INTO dir_api_keys (key_hash, org_id) SELECT key_hash, org_id FROM api_keys;
INSERT OR IGNORE INTO dir_sender_numbers (number, org_id, claimed_at)
  SELECT n.value, o.id, 0 FROM organisations o, json_each(o.sender_numbers) AS c, json_each(c.value) AS n;
INSERT OR IGNORE INTO dir_sender_numbers (number, org_id, claimed_at)
  SELECT whatsapp_sender, id, 0 FROM organisations WHERE whatsapp_sender IS NOT NULL;
INSERT OR IGNORE INTO dir_sender_numbers (number, org_id, claimed_at)
  SELECT sender_phone, org_id, 0 FROM users WHERE sender_phone IS NOT NULL;

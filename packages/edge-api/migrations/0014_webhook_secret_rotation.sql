-- Webhook secret rotation: the previous secret (sealed) and until when deliveries are signed with
-- it too (src/webhooks/secret.ts). The current secret, in webhook_secret, is now stored sealed.
ALTER TABLE `organisations` ADD `webhook_secret_previous` text;--> statement-breakpoint
ALTER TABLE `organisations` ADD `webhook_secret_previous_until` integer;
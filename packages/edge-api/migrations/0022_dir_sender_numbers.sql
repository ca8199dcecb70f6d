-- Sender numbers claimed in the directory (src/orgs/sender-numbers.ts): one organisation per number
-- across shards. The numbers held so far (organisations' SMS and WhatsApp senders, people's own) are
-- claimed here for their organisations.
CREATE TABLE `dir_sender_numbers` (
	`number` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`claimed_at` integer NOT NULL
);
--> statement-breakpoint
INSERT OR IGNORE INTO `dir_sender_numbers` (`number`, `org_id`, `claimed_at`)
  SELECT n.value, o.id, 0 FROM `organisations` o, json_each(o.sender_numbers) AS c, json_each(c.value) AS n;
--> statement-breakpoint
INSERT OR IGNORE INTO `dir_sender_numbers` (`number`, `org_id`, `claimed_at`)
  SELECT `whatsapp_sender`, `id`, 0 FROM `organisations` WHERE `whatsapp_sender` IS NOT NULL;
--> statement-breakpoint
INSERT OR IGNORE INTO `dir_sender_numbers` (`number`, `org_id`, `claimed_at`)
  SELECT `sender_phone`, `org_id`, 0 FROM `users` WHERE `sender_phone` IS NOT NULL;

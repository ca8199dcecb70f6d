CREATE TABLE `tracked_links` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`candidate_id` text NOT NULL,
	`subject` text NOT NULL,
	`destinations` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`candidate_id`) REFERENCES `candidates`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `tracked_links_org_candidate` ON `tracked_links` (`org_id`,`candidate_id`);--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`candidate_id` text,
	`payload` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`delivered_at` integer,
	`last_error` text
);
--> statement-breakpoint
CREATE INDEX `webhook_deliveries_due` ON `webhook_deliveries` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_org_candidate` ON `webhook_deliveries` (`org_id`,`candidate_id`);--> statement-breakpoint
DROP INDEX `scores_org_tier`;--> statement-breakpoint
CREATE INDEX `scores_org_tier_key` ON `scores` (`org_id`,`tier`,`sort_key`);--> statement-breakpoint
ALTER TABLE `organisations` ADD `link_allowlist` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
CREATE INDEX `engagements_org_time` ON `engagements` (`org_id`,`occurred_at`);
-- Campaign runs (issue 17): one run per campaign and local date, paged through its matched set;
-- a text or reply of a run carries its id, and an inbound text the keyword it was.
CREATE TABLE `campaign_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`campaign_id` text NOT NULL,
	`local_date` text NOT NULL,
	`state` text NOT NULL,
	`as_of` integer NOT NULL,
	`page` integer DEFAULT 0 NOT NULL,
	`cursor_last_contacted_at` integer,
	`cursor_candidate_id` text,
	`claim` text,
	`matched` integer DEFAULT 0 NOT NULL,
	`sent` integer DEFAULT 0 NOT NULL,
	`skipped_inactive` integer DEFAULT 0 NOT NULL,
	`skipped_opted_out` integer DEFAULT 0 NOT NULL,
	`skipped_no_number` integer DEFAULT 0 NOT NULL,
	`skipped_texted_today` integer DEFAULT 0 NOT NULL,
	`skipped_no_sender` integer DEFAULT 0 NOT NULL,
	`skipped_quiet_hours` integer DEFAULT 0 NOT NULL,
	`skipped_no_contacts` integer DEFAULT 0 NOT NULL,
	`resumes` integer DEFAULT 0 NOT NULL,
	`error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`finished_at` integer,
	FOREIGN KEY (`org_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `campaign_runs_once` ON `campaign_runs` (`campaign_id`,`local_date`);--> statement-breakpoint
CREATE INDEX `campaign_runs_state` ON `campaign_runs` (`state`,`updated_at`);--> statement-breakpoint
ALTER TABLE `messages` ADD `campaign_run_id` text;--> statement-breakpoint
ALTER TABLE `messages` ADD `keyword` text;--> statement-breakpoint
CREATE INDEX `messages_campaign_run` ON `messages` (`campaign_run_id`,`direction`,`status`) WHERE "messages"."campaign_run_id" IS NOT NULL;
CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`prefix` text NOT NULL,
	`key_hash` text NOT NULL,
	`role` text NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`org_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_hash` ON `api_keys` (`key_hash`);--> statement-breakpoint
CREATE INDEX `api_keys_org` ON `api_keys` (`org_id`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`subject` text,
	`details` text
);
--> statement-breakpoint
CREATE INDEX `audit_log_org_at` ON `audit_log` (`org_id`,`at`);--> statement-breakpoint
CREATE TABLE `candidate_tags` (
	`org_id` text NOT NULL,
	`candidate_id` text NOT NULL,
	`tag` text NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	PRIMARY KEY(`candidate_id`, `tag`),
	FOREIGN KEY (`candidate_id`) REFERENCES `candidates`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `candidate_tags_org_tag` ON `candidate_tags` (`org_id`,`tag`);--> statement-breakpoint
CREATE TABLE `candidates` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`external_id` text NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `candidates_org_external` ON `candidates` (`org_id`,`external_id`);--> statement-breakpoint
CREATE TABLE `collect_stats` (
	`org_id` text NOT NULL,
	`site_id` text NOT NULL,
	`day` text NOT NULL,
	`accepted` integer DEFAULT 0 NOT NULL,
	`duplicates` integer DEFAULT 0 NOT NULL,
	`dropped_bots` integer DEFAULT 0 NOT NULL,
	`ignored_tokens` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`site_id`, `day`)
);
--> statement-breakpoint
CREATE INDEX `collect_stats_org` ON `collect_stats` (`org_id`);--> statement-breakpoint
CREATE TABLE `engagements` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`candidate_id` text,
	`visitor_id` text,
	`site_id` text,
	`type` text NOT NULL,
	`detail` text,
	`occurred_at` integer NOT NULL,
	`received_at` integer NOT NULL,
	`source` text NOT NULL,
	`machine` integer DEFAULT false NOT NULL,
	`event_key` text NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`candidate_id`) REFERENCES `candidates`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`visitor_id`) REFERENCES `visitors`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`site_id`) REFERENCES `sites`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `engagements_org_event_key` ON `engagements` (`org_id`,`event_key`);--> statement-breakpoint
CREATE INDEX `engagements_org_candidate_time` ON `engagements` (`org_id`,`candidate_id`,`occurred_at`);--> statement-breakpoint
CREATE INDEX `engagements_org_visitor_time` ON `engagements` (`org_id`,`visitor_id`,`occurred_at`);--> statement-breakpoint
CREATE TABLE `organisations` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`scoring_model` text,
	`visit_window_minutes` integer DEFAULT 30 NOT NULL,
	`form_window_minutes` integer DEFAULT 5 NOT NULL,
	`consent_mode` text DEFAULT 'explicit' NOT NULL,
	`onetrust_category` text DEFAULT 'C0004' NOT NULL,
	`webhook_url` text,
	`webhook_secret` text,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `scores` (
	`candidate_id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`state` text NOT NULL,
	`sort_key` real,
	`tier` text NOT NULL,
	`tier_changed_at` integer,
	`last_engaged_at` integer,
	`engagement_count` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`candidate_id`) REFERENCES `candidates`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `scores_org_sort_key` ON `scores` (`org_id`,`sort_key`);--> statement-breakpoint
CREATE INDEX `scores_org_last_engaged` ON `scores` (`org_id`,`last_engaged_at`);--> statement-breakpoint
CREATE INDEX `scores_org_tier` ON `scores` (`org_id`,`tier`);--> statement-breakpoint
CREATE TABLE `sites` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`public_key` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`allowed_origins` text DEFAULT '[]' NOT NULL,
	`tracking_enabled` integer DEFAULT false NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sites_public_key` ON `sites` (`public_key`);--> statement-breakpoint
CREATE INDEX `sites_org` ON `sites` (`org_id`);--> statement-breakpoint
CREATE TABLE `visitors` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`device_id` text NOT NULL,
	`kind` text,
	`fingerprint_version` text,
	`candidate_id` text,
	`link_source` text,
	`linked_at` integer,
	`first_seen_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`candidate_id`) REFERENCES `candidates`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `visitors_org_device` ON `visitors` (`org_id`,`device_id`);--> statement-breakpoint
CREATE INDEX `visitors_org_candidate` ON `visitors` (`org_id`,`candidate_id`);
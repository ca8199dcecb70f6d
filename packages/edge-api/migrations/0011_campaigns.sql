-- Re-engagement campaigns (issue 17): the campaign definitions (who, when, what text, from whom,
-- and their state); runs come later. Listed by organisation, state and name, and found by code.
CREATE TABLE `campaigns` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`reengagement` integer NOT NULL,
	`code` text,
	`url` text,
	`auto_response` text,
	`timeframe_days` integer,
	`never_contacted` integer DEFAULT false NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`tags_mode` text DEFAULT 'any' NOT NULL,
	`sender_user_id` text NOT NULL,
	`send_time` text NOT NULL,
	`channel` text NOT NULL,
	`body` text,
	`template_id` text,
	`template_variables` text,
	`state` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`sender_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `campaigns_org_state_name` ON `campaigns` (`org_id`,`state`,`name`);--> statement-breakpoint
CREATE INDEX `campaigns_org_code` ON `campaigns` (`org_id`,`code`);
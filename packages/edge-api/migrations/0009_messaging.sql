-- Messaging (issue 16): candidates' contact details and consent, contacts (outbound touches) and
-- last contacted, messages both ways, monthly contact usage, and per organisation its allowance,
-- time zone, quiet hours and sender numbers; API keys' messaging permission.
CREATE TABLE `candidate_contact_details` (
	`candidate_id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`phone` text,
	`phone_country` text,
	`first_name` text,
	`time_zone` text,
	`sms_consent_source` text,
	`sms_consent_at` integer,
	`whatsapp_opt_in_source` text,
	`whatsapp_opt_in_at` integer,
	`sms_opted_out_at` integer,
	`whatsapp_opted_out_at` integer,
	`last_inbound_sms_at` integer,
	`last_inbound_whatsapp_at` integer,
	`last_inbound_messenger_at` integer,
	`last_inbound_wechat_at` integer,
	`last_messaged_at` integer,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`candidate_id`) REFERENCES `candidates`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `candidate_contact_details_org_phone` ON `candidate_contact_details` (`org_id`,`phone`);--> statement-breakpoint
CREATE TABLE `contact_usage` (
	`org_id` text NOT NULL,
	`period` text NOT NULL,
	`candidate_id` text NOT NULL,
	`message_id` text NOT NULL,
	`used_at` integer NOT NULL,
	PRIMARY KEY(`org_id`, `period`, `candidate_id`),
	FOREIGN KEY (`candidate_id`) REFERENCES `candidates`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `contacts` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`candidate_id` text NOT NULL,
	`contact_key` text NOT NULL,
	`kind` text NOT NULL,
	`occurred_at` integer NOT NULL,
	`received_at` integer NOT NULL,
	FOREIGN KEY (`candidate_id`) REFERENCES `candidates`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `contacts_org_key` ON `contacts` (`org_id`,`contact_key`);--> statement-breakpoint
CREATE INDEX `contacts_org_candidate` ON `contacts` (`org_id`,`candidate_id`,`occurred_at`);--> statement-breakpoint
CREATE TABLE `messages` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`candidate_id` text NOT NULL,
	`direction` text NOT NULL,
	`channel` text NOT NULL,
	`from_address` text NOT NULL,
	`to_address` text NOT NULL,
	`body` text,
	`template_id` text,
	`template_variables` text,
	`link_id` text,
	`status` text NOT NULL,
	`scheduled_for` integer,
	`provider_sid` text,
	`error_code` text,
	`error_message` text,
	`sent_by` text,
	`campaign_id` text,
	`uses_contact` integer DEFAULT false NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`clicks` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`candidate_id`) REFERENCES `candidates`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `messages_org_candidate` ON `messages` (`org_id`,`candidate_id`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `messages_provider_sid` ON `messages` (`provider_sid`);--> statement-breakpoint
CREATE INDEX `messages_scheduled` ON `messages` (`status`,`scheduled_for`);--> statement-breakpoint
ALTER TABLE `api_keys` ADD `messaging` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `organisations` ADD `monthly_contact_allowance` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `organisations` ADD `time_zone` text DEFAULT 'UTC' NOT NULL;--> statement-breakpoint
ALTER TABLE `organisations` ADD `quiet_start_hour` integer DEFAULT 8 NOT NULL;--> statement-breakpoint
ALTER TABLE `organisations` ADD `quiet_end_hour` integer DEFAULT 20 NOT NULL;--> statement-breakpoint
ALTER TABLE `organisations` ADD `sender_numbers` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `organisations` ADD `whatsapp_sender` text;--> statement-breakpoint
ALTER TABLE `scores` ADD `last_contacted_at` integer;--> statement-breakpoint
CREATE INDEX `scores_org_last_contacted` ON `scores` (`org_id`,`last_contacted_at`);
-- People, not keys (issue 15): users with roles and messaging licences, console sessions and
-- OpenID Connect sign-ins under way, and per organisation its seats and identity provider.
CREATE TABLE `sessions` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`user_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `sessions_user` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE TABLE `sign_in_attempts` (
	`state_hash` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`nonce` text NOT NULL,
	`code_verifier` text NOT NULL,
	`return_to` text,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sign_in_attempts_expires` ON `sign_in_attempts` (`expires_at`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`email` text NOT NULL,
	`display_name` text NOT NULL,
	`role` text NOT NULL,
	`licence` integer DEFAULT false NOT NULL,
	`sender_phone` text,
	`auto_reply` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`last_signed_in_at` integer,
	`deactivated_at` integer,
	FOREIGN KEY (`org_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_org_email` ON `users` (`org_id`,`email`);--> statement-breakpoint
ALTER TABLE `organisations` ADD `seats` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `organisations` ADD `oidc_issuer` text;--> statement-breakpoint
ALTER TABLE `organisations` ADD `oidc_client_id` text;--> statement-breakpoint
ALTER TABLE `organisations` ADD `oidc_client_secret` text;--> statement-breakpoint
ALTER TABLE `organisations` ADD `oidc_email_claim` text DEFAULT 'email' NOT NULL;--> statement-breakpoint
ALTER TABLE `organisations` ADD `auto_provision` integer DEFAULT false NOT NULL;
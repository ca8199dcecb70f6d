-- Identity codes a browser has used (issue 19): a tracked click's cxm_t is a single-use code, owned by the first device that presents it.
CREATE TABLE `identity_code_claims` (
	`code_hash` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`external_id` text NOT NULL,
	`device_id` text NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `identity_code_claims_expiry` ON `identity_code_claims` (`expires_at`);--> statement-breakpoint
CREATE INDEX `identity_code_claims_candidate` ON `identity_code_claims` (`org_id`,`external_id`);
-- The directory (issue 20, src/shards): organisations' shards, site keys, API key hashes and console
-- sessions, found before the organisation is known; applied to every database (only the one bound
-- as DB fills them). The organisations stored so far are on DB: their entries are filled here.
CREATE TABLE `dir_api_keys` (
	`key_hash` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `dir_orgs` (
	`org_id` text PRIMARY KEY NOT NULL,
	`shard` text NOT NULL,
	`state` text DEFAULT 'active' NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `dir_orgs_shard` ON `dir_orgs` (`shard`);--> statement-breakpoint
CREATE TABLE `dir_sessions` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `dir_sessions_created` ON `dir_sessions` (`created_at`);--> statement-breakpoint
CREATE TABLE `dir_shards` (
	`name` text PRIMARY KEY NOT NULL,
	`size_bytes` integer NOT NULL,
	`measured_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `dir_site_keys` (
	`public_key` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `move_rowids` (
	`org_id` text NOT NULL,
	`old_rowid` integer NOT NULL,
	`new_rowid` integer NOT NULL,
	PRIMARY KEY(`org_id`, `old_rowid`)
);
--> statement-breakpoint
INSERT OR IGNORE INTO `dir_orgs` (`org_id`, `shard`, `state`, `updated_at`)
  SELECT `id`, 'DB', 'active', CAST(unixepoch('subsec') * 1000 AS INTEGER) FROM `organisations`;
--> statement-breakpoint
INSERT OR IGNORE INTO `dir_site_keys` (`public_key`, `org_id`) SELECT `public_key`, `org_id` FROM `sites`;
--> statement-breakpoint
INSERT OR IGNORE INTO `dir_api_keys` (`key_hash`, `org_id`) SELECT `key_hash`, `org_id` FROM `api_keys`;
--> statement-breakpoint
INSERT OR IGNORE INTO `dir_sessions` (`token_hash`, `org_id`, `created_at`) SELECT `token_hash`, `org_id`, `created_at` FROM `sessions`;

-- API keys: who created each, and an optional expiry (issue 19); last_used_at is now written.
ALTER TABLE `api_keys` ADD `created_by` text;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `expires_at` integer;
DROP INDEX `engagements_org_time`;--> statement-breakpoint
CREATE INDEX `engagements_org_time_type` ON `engagements` (`org_id`,`occurred_at`,`type`);
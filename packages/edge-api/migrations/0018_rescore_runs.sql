-- Rescoring after a scoring model change runs in pages through the rescore queue (issue 20):
-- `rescore_runs` keeps each organisation's latest run and its progress (GET
-- /v1/settings/engagement shows it). The run's version guard works like the score rows' (0001):
-- a page writes `version = <version it read> + 1`, so a page that ran already, or one of a run a
-- newer model change replaced (which writes `version = version + 1`), aborts its whole batch.
CREATE TABLE `rescore_runs` (
	`org_id` text PRIMARY KEY NOT NULL,
	`run_id` text NOT NULL,
	`state` text NOT NULL,
	`cursor` text DEFAULT '' NOT NULL,
	`done` integer DEFAULT 0 NOT NULL,
	`total` integer DEFAULT 0 NOT NULL,
	`resumes` integer DEFAULT 0 NOT NULL,
	`started_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`finished_at` integer,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `rescore_runs_state` ON `rescore_runs` (`state`,`updated_at`);--> statement-breakpoint
CREATE TRIGGER `rescore_runs_version_guard` BEFORE UPDATE ON `rescore_runs`
WHEN NEW.`version` IS NOT OLD.`version` + 1
BEGIN
  SELECT RAISE(ABORT, 'stale_version: rescore_runs');
END;

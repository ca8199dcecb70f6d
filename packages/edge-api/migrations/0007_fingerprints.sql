-- Fingerprints as a second signal (issue 14): the FingerprintJS id each visitor was last seen
-- with (`visitors.fp`), and per fingerprint the profile seen with it last, the candidate it is
-- linked to and whether it proved shared (`fingerprints`; see src/identity/fingerprints.ts).
CREATE TABLE `fingerprints` (
	`org_id` text NOT NULL,
	`fp` text NOT NULL,
	`visitor_id` text NOT NULL,
	`candidate_id` text,
	`shared_at` integer,
	`first_seen_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	PRIMARY KEY(`org_id`, `fp`),
	FOREIGN KEY (`org_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`candidate_id`) REFERENCES `candidates`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `fingerprints_org_candidate` ON `fingerprints` (`org_id`,`candidate_id`);--> statement-breakpoint
ALTER TABLE `visitors` ADD `fp` text;--> statement-breakpoint
CREATE INDEX `visitors_org_fp` ON `visitors` (`org_id`,`fp`);
--> statement-breakpoint
-- A recognition reads a fingerprint's candidate and shared mark and writes `version = read + 1`;
-- every in-place change of either bumps `version`, so a recognition that read them stale aborts
-- (and is retried from fresh reads). Taking over `visitor_id` and `last_seen_at` commute and
-- are not guarded. Same pattern as `visitors_version_guard` (migrations 0001, 0005).
CREATE TRIGGER `fingerprints_version_guard`
BEFORE UPDATE OF `version`, `candidate_id`, `shared_at` ON `fingerprints`
WHEN NEW.`version` IS NOT OLD.`version` + 1
BEGIN
  SELECT RAISE(ABORT, 'stale_version: fingerprints');
END;

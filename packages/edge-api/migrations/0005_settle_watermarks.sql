-- Writers now store engagements first and settle scores after (src/scoring/settle.ts), so that
-- concurrent writes for one candidate or one visitor never have to win a race.
--
-- 1. Every score row written so far folded all of its candidate's stored engagements (it was
--    written in the same guarded batch as them): its watermark is the highest rowid among them.
--    (The version goes up by one, as `scores_version_guard` demands of every UPDATE.)
UPDATE `scores` SET `version` = `version` + 1, `scored_through` = COALESCE(
  (SELECT MAX(e.`rowid`) FROM `engagements` e
    WHERE e.`org_id` = `scores`.`org_id` AND e.`candidate_id` = `scores`.`candidate_id`),
  0);
--> statement-breakpoint
-- 2. The visitor's version guards its link only. The guard now fires only for UPDATEs that set
--    the version or a link column (which must set the version to exactly old + 1, as before);
--    a beacon's in-place update of `last_seen_at`, `kind` and `fingerprint_version` commutes
--    with every other write and no longer needs (or bumps) the version.
DROP TRIGGER `visitors_version_guard`;
--> statement-breakpoint
CREATE TRIGGER `visitors_version_guard`
BEFORE UPDATE OF `version`, `candidate_id`, `link_source`, `linked_at` ON `visitors`
WHEN NEW.`version` IS NOT OLD.`version` + 1
BEGIN
  SELECT RAISE(ABORT, 'stale_version: visitors');
END;

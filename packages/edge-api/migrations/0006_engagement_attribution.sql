-- How each engagement came to belong to its candidate (`engagements.attribution`, see
-- ENGAGEMENT_ATTRIBUTIONS in src/db/schema.ts). Writers set it from now on; this fills in what
-- the stored rows can tell about the past.
ALTER TABLE `engagements` ADD `attribution` text;
--> statement-breakpoint
-- 1. Server-to-server rows: exact. The caller named the candidate (`api`), or a tracked email
--    link minted for the candidate was opened or clicked (`email_link`).
UPDATE `engagements` SET `attribution` = `source` WHERE `source` IN ('api', 'email_link');
--> statement-breakpoint
-- 2. Tracker rows with a candidate, from their visitor's link (`linked_at`, `link_source`):
--    - received before the visitor was linked: stored anonymous and moved by the link (`link`);
--    - received in the very beacon whose identity token made the link (same millisecond, the
--      link's `received_at`): `identity_token`;
--    - otherwise stored while the visitor was already linked (`visitor`).
--    How exact: right for a visitor linked once, which is nearly all of them, except that
--    - later beacons that carried an identity token for the candidate the visitor already had
--      read `visitor` (the token itself is never stored, so this cannot be known);
--    - a beacon racing the link (received just before the link, stored just after it; or
--      waiting on the ingest queue while the link happened) reads `link`, not `visitor`.
--    A visitor that switched candidates keeps only its latest link's time, so the rows of the
--    candidate it had before (moved by the first link or stored under it: unknowable) stay null,
--    as do rows whose visitor row is gone. Null with a candidate reads "not recorded".
UPDATE `engagements` SET `attribution` = (
  SELECT CASE
    WHEN v.`candidate_id` IS NOT `engagements`.`candidate_id` THEN NULL
    WHEN v.`link_source` = 'identity_token' AND v.`linked_at` = `engagements`.`received_at`
      THEN 'identity_token'
    WHEN v.`linked_at` > `engagements`.`received_at` THEN 'link'
    ELSE 'visitor'
  END
  FROM `visitors` v
  WHERE v.`id` = `engagements`.`visitor_id` AND v.`org_id` = `engagements`.`org_id`)
WHERE `source` = 'tracker' AND `candidate_id` IS NOT NULL;

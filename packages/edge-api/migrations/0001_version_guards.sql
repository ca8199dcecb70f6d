-- Optimistic locks for the writer (src/ingest/write.ts). The worker reads a visitor or score
-- row, computes the new state in JavaScript, then writes it in one batch setting
-- `version = <version it read> + 1`. If another request changed the row in between, the
-- version no longer lines up, this trigger aborts, D1 rolls the whole batch back, and the
-- writer retries from fresh reads. SQL that updates these rows in place must therefore write
-- `version = version + 1`, which always passes.
CREATE TRIGGER `visitors_version_guard` BEFORE UPDATE ON `visitors`
WHEN NEW.`version` IS NOT OLD.`version` + 1
BEGIN
  SELECT RAISE(ABORT, 'stale_version: visitors');
END;
--> statement-breakpoint
CREATE TRIGGER `scores_version_guard` BEFORE UPDATE ON `scores`
WHEN NEW.`version` IS NOT OLD.`version` + 1
BEGIN
  SELECT RAISE(ABORT, 'stale_version: scores');
END;

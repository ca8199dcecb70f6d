-- Candidates per tier without counting them (issue 20): `score_key_counts` holds, per
-- organisation, how many score rows have their sort key in each sixteenth of a half-life
-- (bucket = floor(sort_key * 16); a null key, never engaged, is bucket -2147483648). A tier count
-- is then a sum over the buckets above its threshold plus one bucket's range on
-- `scores_org_sort_key`. The triggers below keep it through every insert, update and delete of
-- a score row (writers, rescores, purges), and drop a bucket when it reaches 0; the INSERT at the
-- end fills it from the stored scores. The bucket expression is a floor (CAST truncates towards
-- 0) and must stay the same in all three triggers and the backfill. Never write scores with
-- INSERT OR REPLACE: its implicit delete fires no DELETE trigger (recursive_triggers is off), so
-- the replaced row's bucket would keep its count; an upsert (ON CONFLICT DO UPDATE) is counted.
CREATE TABLE `score_key_counts` (
	`org_id` text NOT NULL,
	`bucket` integer NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`org_id`, `bucket`)
);
--> statement-breakpoint
CREATE TRIGGER `scores_key_count_insert` AFTER INSERT ON `scores`
BEGIN
  INSERT INTO `score_key_counts` (`org_id`, `bucket`, `n`)
  VALUES (NEW.`org_id`, CASE WHEN NEW.`sort_key` IS NULL THEN -2147483648 ELSE CAST(NEW.`sort_key` * 16 AS INTEGER) - (NEW.`sort_key` * 16 < CAST(NEW.`sort_key` * 16 AS INTEGER)) END, 1)
  ON CONFLICT (`org_id`, `bucket`) DO UPDATE SET `n` = `n` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `scores_key_count_update` AFTER UPDATE OF `sort_key`, `org_id` ON `scores`
WHEN OLD.`org_id` IS NOT NEW.`org_id`
  OR (CASE WHEN OLD.`sort_key` IS NULL THEN -2147483648 ELSE CAST(OLD.`sort_key` * 16 AS INTEGER) - (OLD.`sort_key` * 16 < CAST(OLD.`sort_key` * 16 AS INTEGER)) END) IS NOT (CASE WHEN NEW.`sort_key` IS NULL THEN -2147483648 ELSE CAST(NEW.`sort_key` * 16 AS INTEGER) - (NEW.`sort_key` * 16 < CAST(NEW.`sort_key` * 16 AS INTEGER)) END)
BEGIN
  UPDATE `score_key_counts` SET `n` = `n` - 1
  WHERE `org_id` = OLD.`org_id` AND `bucket` = CASE WHEN OLD.`sort_key` IS NULL THEN -2147483648 ELSE CAST(OLD.`sort_key` * 16 AS INTEGER) - (OLD.`sort_key` * 16 < CAST(OLD.`sort_key` * 16 AS INTEGER)) END;
  DELETE FROM `score_key_counts`
  WHERE `org_id` = OLD.`org_id` AND `bucket` = CASE WHEN OLD.`sort_key` IS NULL THEN -2147483648 ELSE CAST(OLD.`sort_key` * 16 AS INTEGER) - (OLD.`sort_key` * 16 < CAST(OLD.`sort_key` * 16 AS INTEGER)) END AND `n` <= 0;
  INSERT INTO `score_key_counts` (`org_id`, `bucket`, `n`)
  VALUES (NEW.`org_id`, CASE WHEN NEW.`sort_key` IS NULL THEN -2147483648 ELSE CAST(NEW.`sort_key` * 16 AS INTEGER) - (NEW.`sort_key` * 16 < CAST(NEW.`sort_key` * 16 AS INTEGER)) END, 1)
  ON CONFLICT (`org_id`, `bucket`) DO UPDATE SET `n` = `n` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `scores_key_count_delete` AFTER DELETE ON `scores`
BEGIN
  UPDATE `score_key_counts` SET `n` = `n` - 1
  WHERE `org_id` = OLD.`org_id` AND `bucket` = CASE WHEN OLD.`sort_key` IS NULL THEN -2147483648 ELSE CAST(OLD.`sort_key` * 16 AS INTEGER) - (OLD.`sort_key` * 16 < CAST(OLD.`sort_key` * 16 AS INTEGER)) END;
  DELETE FROM `score_key_counts`
  WHERE `org_id` = OLD.`org_id` AND `bucket` = CASE WHEN OLD.`sort_key` IS NULL THEN -2147483648 ELSE CAST(OLD.`sort_key` * 16 AS INTEGER) - (OLD.`sort_key` * 16 < CAST(OLD.`sort_key` * 16 AS INTEGER)) END AND `n` <= 0;
END;
--> statement-breakpoint
INSERT INTO `score_key_counts` (`org_id`, `bucket`, `n`)
SELECT `org_id`, CASE WHEN scores.`sort_key` IS NULL THEN -2147483648 ELSE CAST(scores.`sort_key` * 16 AS INTEGER) - (scores.`sort_key` * 16 < CAST(scores.`sort_key` * 16 AS INTEGER)) END, COUNT(*) FROM `scores`
WHERE true
GROUP BY 1, 2;

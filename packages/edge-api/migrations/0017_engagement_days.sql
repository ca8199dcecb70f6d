-- The tier report's engagements per organisation, UTC day and type (issue 20), kept by the writers and purge from now on; filled here from the stored engagements.
CREATE TABLE `engagement_days` (
	`org_id` text NOT NULL,
	`day` integer NOT NULL,
	`type` text NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`org_id`, `day`, `type`)
);
--> statement-breakpoint
-- The same day as the writers' (`occurred_at / 86400000`, integer division), every row counted.
INSERT INTO `engagement_days` (`org_id`, `day`, `type`, `count`)
SELECT `org_id`, `occurred_at` / 86400000, `type`, COUNT(*) FROM `engagements`
WHERE true
GROUP BY `org_id`, `occurred_at` / 86400000, `type`;

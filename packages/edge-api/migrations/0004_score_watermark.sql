CREATE TABLE `score_backlog` (
	`candidate_id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`since` integer NOT NULL,
	FOREIGN KEY (`candidate_id`) REFERENCES `candidates`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `scores` ADD `scored_through` integer DEFAULT 0 NOT NULL;
-- Campaign selection (issue 17): a campaign's matched candidates as one range of last contacted,
-- covering the candidate (the run's cursor) and the sort key (the Inactive tier) without the row.
CREATE INDEX `scores_campaign_selection` ON `scores` (`org_id`,`last_contacted_at`,`candidate_id`,`sort_key`);
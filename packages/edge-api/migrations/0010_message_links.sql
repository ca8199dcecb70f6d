-- Tracked links in text messages (issue 16): where a message's link redirects, and its opaque code
-- unique so `/v1/m/{code}` finds its message by index.
ALTER TABLE `messages` ADD `link_url` text;--> statement-breakpoint
CREATE UNIQUE INDEX `messages_link` ON `messages` (`link_id`);

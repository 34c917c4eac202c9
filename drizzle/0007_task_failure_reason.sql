ALTER TABLE `tasks` ADD `failure_reason` text;--> statement-breakpoint
ALTER TABLE `tasks` ADD `irreversible` text;
ALTER TABLE `devices` ADD `node` text;--> statement-breakpoint
ALTER TABLE `materials` ADD `node` text;--> statement-breakpoint
ALTER TABLE `materials` ADD `sha256` text;--> statement-breakpoint
ALTER TABLE `nodes` ADD `url` text;--> statement-breakpoint
ALTER TABLE `tasks` ADD `node` text;
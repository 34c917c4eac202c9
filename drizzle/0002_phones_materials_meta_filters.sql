CREATE TABLE `caption_rotation` (
	`key` text PRIMARY KEY NOT NULL,
	`used` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `material_uses` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`path` text NOT NULL,
	`username` text,
	`serial` text NOT NULL,
	`task_id` integer,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `material_uses_path` ON `material_uses` (`path`,`username`);--> statement-breakpoint
CREATE TABLE `materials` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`path` text NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`format` text NOT NULL,
	`size` integer NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`uploaded` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `materials_path` ON `materials` (`path`);--> statement-breakpoint
CREATE INDEX `materials_kind_name` ON `materials` (`kind`,`name`,`id`);--> statement-breakpoint
CREATE TABLE `meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
ALTER TABLE `devices` ADD `hardware_serial` text;--> statement-breakpoint
ALTER TABLE `devices` ADD `ephemeral` integer DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX `tasks_serial_status_created` ON `tasks` (`serial`,`status`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `tasks_serial_script_created` ON `tasks` (`serial`,`script_name`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `tasks_status_source_created` ON `tasks` (`status`,`source`,`created_at`,`id`);
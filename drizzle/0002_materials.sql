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
CREATE INDEX `materials_kind_name` ON `materials` (`kind`,`name`,`id`);
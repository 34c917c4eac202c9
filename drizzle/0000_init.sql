CREATE TABLE `accounts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`username` text NOT NULL,
	`platform` text NOT NULL,
	`packagename` text,
	`device` text NOT NULL,
	`email` text,
	`password` text,
	`logined` integer DEFAULT 1 NOT NULL,
	`status` integer DEFAULT 1 NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `accounts_platform_username` ON `accounts` (`platform`,lower("username"));--> statement-breakpoint
CREATE INDEX `accounts_device` ON `accounts` (`device`);--> statement-breakpoint
CREATE TABLE `devices` (
	`serial` text PRIMARY KEY NOT NULL,
	`transport` text NOT NULL,
	`state` text NOT NULL,
	`model` text,
	`brand` text,
	`android_version` text,
	`sdk` integer,
	`screen_width` integer,
	`screen_height` integer,
	`battery` integer,
	`hint` text,
	`first_seen` integer NOT NULL,
	`last_seen` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `task_counts` (
	`status` integer PRIMARY KEY NOT NULL,
	`n` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `task_logs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`task_id` integer NOT NULL,
	`at` integer NOT NULL,
	`level` text NOT NULL,
	`message` text NOT NULL,
	`duration_ms` integer,
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `task_logs_task` ON `task_logs` (`task_id`,`id`);--> statement-breakpoint
CREATE TABLE `tasks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`serial` text NOT NULL,
	`username` text,
	`account_id` integer,
	`platform` text DEFAULT 'tiktok' NOT NULL,
	`script_name` text NOT NULL,
	`script_config` text NOT NULL,
	`status` integer DEFAULT 0 NOT NULL,
	`source` text DEFAULT 'api' NOT NULL,
	`start_time` text,
	`scheduled_at` integer,
	`started_at` integer,
	`finished_at` integer,
	`retry_count` integer DEFAULT 0 NOT NULL,
	`error` text,
	`error_class` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `tasks_created` ON `tasks` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `tasks_status_created` ON `tasks` (`status`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `tasks_serial_created` ON `tasks` (`serial`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `tasks_script_created` ON `tasks` (`script_name`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `tasks_source_created` ON `tasks` (`source`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `tasks_queue` ON `tasks` (`status`,`serial`,`scheduled_at`,`id`);--> statement-breakpoint
CREATE INDEX `tasks_due` ON `tasks` (`status`,`scheduled_at`);
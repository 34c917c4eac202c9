CREATE INDEX `tasks_serial_status_created` ON `tasks` (`serial`,`status`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `tasks_serial_script_created` ON `tasks` (`serial`,`script_name`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `tasks_status_source_created` ON `tasks` (`status`,`source`,`created_at`,`id`);
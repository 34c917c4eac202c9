CREATE TABLE `phone_leases` (
	`serial` text PRIMARY KEY NOT NULL,
	`node` text,
	`task_id` integer,
	`leased_at` integer
);

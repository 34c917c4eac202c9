CREATE TABLE `task_source_counts` (
	`status` integer NOT NULL,
	`source` text NOT NULL,
	`n` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`status`, `source`)
);

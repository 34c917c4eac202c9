ALTER TABLE `devices` ADD `hardware_serial` text;--> statement-breakpoint
ALTER TABLE `devices` ADD `ephemeral` integer DEFAULT false NOT NULL;
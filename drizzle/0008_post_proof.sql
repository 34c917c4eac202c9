ALTER TABLE `material_uses` ADD `confirmed` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `tasks` ADD `result` text;
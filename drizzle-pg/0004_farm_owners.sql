ALTER TABLE "devices" ADD COLUMN "node" text;--> statement-breakpoint
ALTER TABLE "materials" ADD COLUMN "node" text;--> statement-breakpoint
ALTER TABLE "materials" ADD COLUMN "sha256" text;--> statement-breakpoint
ALTER TABLE "nodes" ADD COLUMN "url" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "node" text;
// The PostgreSQL migrations (drizzle-pg/), generated from src/store/schema-pg.ts: `npm run db:generate:pg`.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: "./src/store/schema-pg.ts",
  out: "./drizzle-pg",
});

// `bun run build`: one self-contained executable in dist/ (runtime, code, SQL migrations, Swagger UI files).
import { rmSync } from "node:fs";

const outfile = "dist/farm-tasks";
rmSync("dist", { recursive: true, force: true });
const result = await Bun.build({
  entrypoints: ["src/main.ts"],
  compile: { outfile },
  // never identifiers: Elysia's generated validators refer to names, and renaming them silently skips validation
  minify: { whitespace: true, syntax: true, identifiers: false },
  sourcemap: "linked",
});
if (!result.success) {
  for (const log of result.logs) console.error(log);
  process.exit(1);
}
console.log(`built ${outfile}`);

// The modules a folder's code imports, for tests of which part may use which.
import { readFileSync } from "node:fs";
import { join } from "node:path";

// `import … from "x"`, `export … from "x"`, `import "x"`, `import("x")`; type-only imports count too, which
// Bun's scanImports leaves out
const IMPORT = /\b(?:import|export)\b[^"';]*?\bfrom\s*["']([^"']+)["']|\bimport\s*\(?\s*["']([^"']+)["']/g;

/** Every TypeScript file under `dir` with the specifiers it imports. */
export function importsUnder(dir: string): { file: string; imports: string[] }[] {
  return [...new Bun.Glob("**/*.ts").scanSync(dir)].sort().map((name) => {
    const file = join(dir, name);
    const imports = [...readFileSync(file, "utf8").matchAll(IMPORT)].map((m) => (m[1] ?? m[2]) as string);
    return { file, imports };
  });
}

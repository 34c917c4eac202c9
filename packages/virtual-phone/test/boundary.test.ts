// The virtual phone is the outside world to the service: it imports nothing of it, nor any package, only
// Node's built-ins and its own files, so that it can be used and tested like any library.
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { importsUnder } from "../../../test/helpers/imports.ts";

/** The imports of the code under `dir` that leave it: anything but Node's built-ins and files inside `dir`. */
function foreignImports(dir: string): string[] {
  return importsUnder(dir).flatMap(({ file, imports }) =>
    imports
      .filter((spec) =>
        spec.startsWith(".")
          ? relative(dir, resolve(dirname(file), spec)).startsWith("..")
          : !spec.startsWith("node:"),
      )
      .map((spec) => `${relative(dir, file)}: ${spec}`),
  );
}

test("the package's code imports only Node's built-ins and its own files", () => {
  const src = join(import.meta.dir, "../src");
  expect(importsUnder(src).length).toBeGreaterThan(40);
  expect(foreignImports(src)).toEqual([]);
});

const fixtures = mkdtempSync(join(tmpdir(), "virtual-phone-boundary-"));
afterAll(() => rmSync(fixtures, { recursive: true, force: true }));

test("the check finds an import of the service, of a package and of a file beside the folder, types too", () => {
  const dir = join(fixtures, "src");
  mkdirSync(join(dir, "apps"), { recursive: true });
  writeFileSync(join(dir, "own.ts"), 'import { x } from "./apps/y.ts";\nimport "node:fs";\n');
  writeFileSync(
    join(dir, "apps/y.ts"),
    [
      'import { loadConfig } from "../../../src/config.ts";',
      'import type {\n  Elysia,\n} from "elysia";',
      'export { z } from "../own.ts";',
      'const m = await import("../../beside.ts");',
    ].join("\n"),
  );
  expect(foreignImports(dir)).toEqual([
    "apps/y.ts: ../../../src/config.ts",
    "apps/y.ts: elysia",
    "apps/y.ts: ../../beside.ts",
  ]);
});

// test/README.md's rule, held: only test/e2e starts the executable or a browser, so `npm run test:fast`
// (every folder but test/e2e) needs no build.
import { expect, test } from "bun:test";
import { join } from "node:path";
import { importsUnder } from "../helpers/imports.ts";

const ROOT = join(import.meta.dir, "../..");
const NEEDS_BUILD = /helpers\/binary(\.ts)?$|^playwright-core$|build\.ts$/;

test("no test outside test/e2e imports the executable's helper, playwright or the build", () => {
  const offenders = [
    "test/unit",
    "test/api",
    "test/store",
    "test/flow",
    "packages/virtual-phone/test",
  ].flatMap((dir) =>
    importsUnder(join(ROOT, dir))
      .filter(({ file, imports }) => file.endsWith(".test.ts") && imports.some((i) => NEEDS_BUILD.test(i)))
      .map(({ file }) => file.slice(ROOT.length + 1)),
  );
  expect(offenders).toEqual([]);
});

test("the rule catches an offender", () => {
  const found = importsUnder(join(ROOT, "test/e2e")).filter(({ imports }) =>
    imports.some((i) => NEEDS_BUILD.test(i)),
  );
  expect(found.length).toBeGreaterThan(10);
});

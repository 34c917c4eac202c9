// The service uses the virtual phone for demo mode only (its phones, and the canvas its sample image is drawn
// on), through the package's public entry: the rest of the product never depends on the simulator.
import { expect, test } from "bun:test";
import { join, relative } from "node:path";
import { importsUnder } from "../helpers/imports.ts";

const ROOT = join(import.meta.dir, "../..");

test("only demo mode imports the virtual phone, and by its package name", () => {
  const users = importsUnder(join(ROOT, "src")).flatMap(({ file, imports }) => {
    const phone = imports.filter((spec) => spec.includes("virtual-phone") || spec.includes("packages/"));
    return phone.length > 0 ? [{ file: relative(ROOT, file), imports: phone }] : [];
  });
  expect(users).toEqual([
    { file: "src/demo.ts", imports: ["@farm/virtual-phone"] },
    { file: "src/materials/demo-media.ts", imports: ["@farm/virtual-phone"] },
  ]);
});

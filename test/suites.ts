// The suite's two halves. Slow: a test that needs the compiled executable, a browser or a cross-build,
// known by what it imports (test/helpers/binary.ts, playwright-core) or runs (build.ts). Fast: every other
// one (SQLite, the adb server, virtual phones, the service in-process), under a minute on 2 cores.
//
//   bun test/suites.ts fast     (npm run test:fast, two files at a time: they mostly wait on sockets)
//   bun test/suites.ts slow     (npm run test:slow)
//   bun test/suites.ts list     which file is in which half
//
// `npm test` runs the whole suite at once, as before.
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";

const ROOT = join(import.meta.dir, "..");
const NEEDS_BUILD = /helpers\/binary\.ts|playwright-core|build\.ts/;

export function testFiles(): { fast: string[]; slow: string[] } {
  const fast: string[] = [];
  const slow: string[] = [];
  for (const dir of ["test", "packages"]) {
    for (const file of new Bun.Glob("**/*.test.ts").scanSync({ cwd: join(ROOT, dir) })) {
      if (file.includes("node_modules")) continue;
      const path = join(ROOT, dir, file);
      (NEEDS_BUILD.test(readFileSync(path, "utf8")) ? slow : fast).push(`./${relative(ROOT, path)}`);
    }
  }
  return { fast: fast.sort(), slow: slow.sort() };
}

if (import.meta.main) {
  const [half, ...flags] = process.argv.slice(2);
  const files = testFiles();
  if (half === "list") {
    for (const f of files.fast) console.log(`fast ${f}`);
    for (const f of files.slow) console.log(`slow ${f}`);
    process.exit(0);
  }
  if (half !== "fast" && half !== "slow") {
    console.error("usage: bun test/suites.ts fast|slow|list [bun test flags]");
    process.exit(2);
  }
  const run = Bun.spawn([process.execPath, "test", "--timeout", "120000", ...flags, ...files[half]], {
    cwd: ROOT,
    stdio: ["inherit", "inherit", "inherit"],
  });
  process.exit(await run.exited);
}

// No module the service loads may open a platform library (bun:ffi, process.dlopen or .binding, a .so,
// .dylib, .dll or .node file) unless it names the systems it branches on: the Windows executable once failed
// to start on lock.ts's dlopen("libc.so.6"), and CI never starts it. Walks the imports from src/main.ts,
// packages included, and reads each module's code (comments and types gone).
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";

const ROOT = join(import.meta.dir, "../..");
const transpiler = new Bun.Transpiler({ loader: "ts" });
// files embedded as data (`with { type: "file" }`, "text", "json"): never run as code
const ASSET_IMPORT = /from\s*["']([^"']+)["']\s*with\s*\{\s*type:\s*["'](?:file|text|json)["']\s*\}/g;
// a macro runs when the executable is built; its attribute alone would make the transpiler look for it
const MACRO_ATTRIBUTE = /\swith\s*\{\s*type:\s*["']macro["']\s*\}/g;
const LOADS_LIBRARY = [
  /\bprocess\.(?:dlopen|binding|_linkedBinding)\b/,
  /["'`][^"'`\n]*\.(?:so(?:\.\d+)*|dylib|dll|node)["'`]/,
];

/** The reachable modules that load a platform library without a branch for Windows and for macOS. */
function unbranchedPlatformLibraries(entry: string): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  const queue = [entry];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file) || !/\.[cm]?[jt]sx?$/.test(file)) continue;
    seen.add(file);
    const source = readFileSync(file, "utf8");
    const assets = new Set([...source.matchAll(ASSET_IMPORT)].map((m) => m[1]));
    const code = transpiler.transformSync(source.replace(MACRO_ATTRIBUTE, ""));
    let loads = LOADS_LIBRARY.some((pattern) => pattern.test(code));
    for (const { path } of transpiler.scanImports(code)) {
      if (path === "bun:ffi" || path.endsWith(".node")) loads = true;
      else if (!assets.has(path) && !/^(?:node:|bun:|bun$)/.test(path))
        queue.push(Bun.resolveSync(path, dirname(file)));
    }
    if (loads && !(/\bwin32\b/.test(code) && /\bdarwin\b/.test(code))) found.push(file);
  }
  expect(seen.size).toBeGreaterThan(1);
  return found;
}

test("nothing reachable from src/main.ts loads a platform library without a branch per system", () => {
  const found = unbranchedPlatformLibraries(join(ROOT, "src/main.ts"));
  expect(found.map((file) => relative(ROOT, file))).toEqual([]);
});

const fixtures = mkdtempSync(join(tmpdir(), "farm-platform-libs-"));
afterAll(() => rmSync(fixtures, { recursive: true, force: true }));

/** A tree of `files` from its main.ts, checked as src/main.ts is. */
function check(files: Record<string, string>): string[] {
  const dir = mkdtempSync(join(fixtures, "tree-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return unbranchedPlatformLibraries(join(dir, "main.ts")).map((file) => relative(dir, file));
}

const checkLock = (lock: string) =>
  check({ "main.ts": 'import { lock } from "./lock.ts";\nlock();\n', "lock.ts": lock });

test("the check finds the lock.ts that stopped the Windows executable, and what it stands for", () => {
  // the old lock.ts, trimmed: libc for everything but macOS, so Windows too
  const old = `import { dlopen, FFIType } from "bun:ffi";
    export function lock() {
      const name = process.platform === "darwin" ? "libSystem.B.dylib" : "libc.so.6";
      return dlopen(name, { flock: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 } }).symbols;
    }`;
  expect(checkLock(old)).toEqual(["lock.ts"]);
  expect(checkLock('export const lock = () => process.dlopen({ exports: {} }, "./lock.dll");')).toEqual([
    "lock.ts",
  ]);
  expect(checkLock('export const lock = () => require("./lock.node");')).toEqual(["lock.ts"]);
  // through a dynamic import, too
  const native = 'import { dlopen } from "bun:ffi";\ndlopen("libc.so.6", {});\n';
  expect(check({ "main.ts": 'await import("./native.ts");\n', "native.ts": native })).toEqual(["native.ts"]);
});

test("a library per system passes, and so does a comment that names one", () => {
  const branched = `import { dlopen } from "bun:ffi";
    const LIBC = { win32: "msvcrt.dll", darwin: "libSystem.B.dylib", linux: "libc.so.6" };
    export const lock = () => dlopen(LIBC[process.platform as "linux"], {});`;
  expect(checkLock(branched)).toEqual([]);
  expect(checkLock("// once opened libc.so.6 through bun:ffi\nexport const lock = () => {};\n")).toEqual([]);
});

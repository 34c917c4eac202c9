// A Bun macro: at bundle time, the licences of every package the executable carries (the runtime
// dependencies, and theirs), so that `farm-tasks --licenses` can show them: Apache-2.0 and MIT both ask that
// their text travel with the copies (Appium's server APKs and Swagger UI are inside the executable).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

const ROOT = join(import.meta.dir, "..");
const LICENCE_FILE = /^(licen[cs]e|notice|copying)(\.(md|txt))?$/i;

interface Manifest {
  name: string;
  version: string;
  license?: string;
  author?: string | { name?: string };
  dependencies?: Record<string, string>;
}

/** Where `name` is installed for the package in `from`: its own node_modules first, then each parent's. */
function packageDir(name: string, from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (dir === dirname(dir)) throw new Error(`notices: ${name} (needed by ${from}) is not installed`);
  }
}

/** Every runtime package, once, by name and version, with its licence texts; sorted by name. */
export function thirdPartyNotices(): string {
  const seen = new Map<string, string>();
  const visit = (dir: string) => {
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Manifest;
    const key = `${manifest.name}@${manifest.version}`;
    if (seen.has(key)) return;
    seen.set(key, "");
    const texts = readdirSync(dir)
      .filter((f) => LICENCE_FILE.test(f))
      .sort()
      .map((f) => readFileSync(join(dir, f), "utf8").trim());
    const author = typeof manifest.author === "string" ? manifest.author : manifest.author?.name;
    const head = `${manifest.name} ${manifest.version} — ${manifest.license ?? "licence not stated"}`;
    const body =
      texts.length > 0
        ? texts.join("\n\n")
        : `(the package ships no licence file${author ? `; its author: ${author}` : ""})`;
    seen.set(key, `${"=".repeat(78)}\n${head}\n${"=".repeat(78)}\n${body}\n`);
    for (const dep of Object.keys(manifest.dependencies ?? {})) visit(packageDir(dep, dir));
  };
  const root = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Manifest;
  for (const dep of Object.keys(root.dependencies ?? {})) visit(packageDir(dep, ROOT));
  const runtime =
    `farm-tasks is built with Bun ${Bun.version} (MIT), which carries JavaScriptCore and other libraries ` +
    "under their own licences: https://bun.sh/docs/project/licensing\n" +
    "It carries these packages, each under the licence that follows its name:\n";
  return [runtime, ...[...seen].sort(([a], [b]) => a.localeCompare(b)).map(([, text]) => text)].join("\n");
}

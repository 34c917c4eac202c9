/**
 * Selectors as data: what each app's screens look like to automation, per app version. Built-in files are
 * embedded in the executable; `DATA_DIR/selectors/<app>.json` (same shape) is merged over them so an app
 * update that renames an id is fixed without a new build: an override's alternatives are tried first.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Platform } from "../../domain.ts";
import type { Matcher } from "../screen/index.ts";
import instagram from "./instagram.json";
import tiktok from "./tiktok.json";

/** A selector in the data files: alternatives, each maybe limited to app versions (prefixes of versionName). */
export type DataMatcher = Matcher & { versions?: string[] };

export interface SelectorFile {
  packages?: string[];
  shareActivity?: string;
  screens?: Record<string, Record<string, DataMatcher[]>>;
  popups?: { name: string; tap: DataMatcher[] }[];
}

export interface AppSelectors {
  packages: string[];
  shareActivity: string | undefined;
  screens: Record<string, Record<string, DataMatcher[]>>;
  popups: { name: string; tap: DataMatcher[] }[];
}

const BUILT_IN: Record<Platform, SelectorFile> = { tiktok, instagram };

/** Overrides first, built-ins after; popups with an override's name replace the built-in one. */
export function mergeSelectors(base: SelectorFile, override: SelectorFile): AppSelectors {
  const screens: AppSelectors["screens"] = {};
  for (const source of [base.screens ?? {}, override.screens ?? {}]) {
    for (const [screen, selectors] of Object.entries(source)) {
      screens[screen] ??= {};
      const target = screens[screen];
      for (const [name, alternatives] of Object.entries(selectors)) {
        target[name] = [...alternatives, ...(target[name] ?? [])];
      }
    }
  }
  const overridden = new Set((override.popups ?? []).map((p) => p.name));
  return {
    packages: override.packages ?? base.packages ?? [],
    shareActivity: override.shareActivity ?? base.shareActivity,
    screens,
    popups: [...(override.popups ?? []), ...(base.popups ?? []).filter((p) => !overridden.has(p.name))],
  };
}

/** The app's selectors: built in, with `dataDir/selectors/<app>.json` over them when that file exists. */
export function loadSelectors(app: Platform, dataDir?: string): AppSelectors {
  const file = dataDir ? join(dataDir, "selectors", `${app}.json`) : "";
  if (!file || !existsSync(file)) return mergeSelectors(BUILT_IN[app], {});
  let override: SelectorFile;
  try {
    override = JSON.parse(readFileSync(file, "utf8")) as SelectorFile;
  } catch (e) {
    throw new Error(`selector override ${file} is not valid JSON: ${(e as Error).message}`);
  }
  return mergeSelectors(BUILT_IN[app], override);
}

/**
 * One selector for an app version: this version's alternatives first, then unversioned ones, then other
 * versions' (an id from a neighbouring release is better than nothing). Short ids get the package prefix.
 */
export function forVersion(alternatives: DataMatcher[], pkg: string, version: string): Matcher[] {
  const rank = (m: DataMatcher) => (!m.versions ? 1 : m.versions.some((v) => version.startsWith(v)) ? 0 : 2);
  return alternatives
    .map((m, i) => ({ m, i, r: rank(m) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map(({ m }) => {
      const { versions: _versions, ...matcher } = m;
      if (matcher.id && !matcher.id.includes(":")) matcher.id = `${pkg}:id/${matcher.id}`;
      return matcher;
    });
}

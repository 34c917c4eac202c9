/**
 * Selectors as data: what each app's screens look like to automation, per app version, and each page a flow
 * passes through defined once by its anchors (`pages`: what must be on it, what must not). Android's own
 * dialogs (`system.json`: runtime permissions by role with the decision to take, "isn't responding", the
 * share chooser) come with every app. Built-in files are embedded in the executable;
 * `DATA_DIR/selectors/<app>.json` (same shape) is merged over them so an app update that renames an id is
 * fixed without a new build: an override's alternatives are tried first, its pages and popups replace
 * those of the same name.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Platform } from "../../domain.ts";
import type { Matcher, Page, Popup, Selector } from "../screen/index.ts";
import instagram from "./instagram.json";
import system from "./system.json";
import tiktok from "./tiktok.json";

/** A selector in the data files: alternatives, each maybe limited to app versions (prefixes of versionName). */
export type DataMatcher = Matcher & { versions?: string[] };

/**
 * A dialog to dismiss: recognised by `when` (default: its button), dismissed by `tap`; `grant` says whether
 * tapping it grants what the dialog asks (media: yes; contacts: no).
 */
export interface DataPopup {
  name: string;
  when?: DataMatcher[];
  tap: DataMatcher[];
  grant?: boolean;
}

/** A page by its anchors: `screen.selector` names of the selectors that must (`has`) and must not show. */
export interface DataPage {
  name: string;
  has: string[];
  not?: string[];
}

/**
 * Where a node of a static bar lies for an app version on a screen of one size (from a real dump of it), and
 * the activity that draws it: a tap can go there before any dump (accounts.ts: the Profile tab after a cold
 * start), judged by the dump after it.
 */
export interface DataPlace {
  versions?: string[];
  /** `wm size` of the screens it holds for: [width, height]. */
  screen: number[];
  /** [x1, y1, x2, y2]. */
  bounds: number[];
  activity: string;
}

export interface SelectorFile {
  packages?: string[];
  shareActivity?: string;
  /** Explicit share activities per target (Instagram: reel, feed, story): no system chooser. */
  shareActivities?: Record<string, string>;
  screens?: Record<string, Record<string, DataMatcher[]>>;
  pages?: Record<string, DataPage>;
  popups?: DataPopup[];
  /** `screen.selector` → its places on screens of known sizes (see DataPlace). */
  places?: Record<string, DataPlace[]>;
}

export interface AppSelectors {
  packages: string[];
  shareActivity: string | undefined;
  shareActivities: Record<string, string>;
  screens: Record<string, Record<string, DataMatcher[]>>;
  pages: Record<string, DataPage>;
  popups: DataPopup[];
  places: Record<string, DataPlace[]>;
}

/** Android's runtime permission dialogs, as `system.json` states them: by role, one decision each. */
interface SystemFile extends SelectorFile {
  permissionMessage: DataMatcher;
  permissionButtons: { allow: DataMatcher[]; deny: DataMatcher[] };
  permissions: { name: string; messageRegex: string; grant: boolean }[];
}

/**
 * Android's own dialogs and pages, in front of any app: each permission (its message, from any permission
 * controller package) with the button its decision needs, then the other system dialogs.
 */
export function systemSelectors(file: SystemFile = system as SystemFile): SelectorFile {
  const permissions: DataPopup[] = file.permissions.map((p) => ({
    name: p.name,
    when: [{ ...file.permissionMessage, textRegex: p.messageRegex }],
    tap: p.grant ? file.permissionButtons.allow : file.permissionButtons.deny,
    grant: p.grant,
  }));
  return { screens: file.screens, pages: file.pages, popups: [...permissions, ...(file.popups ?? [])] };
}

/** Each app's file with Android's dialogs and pages: the system's popups first (they cover the app). */
function builtIn(app: Platform): SelectorFile {
  const own: SelectorFile = app === "tiktok" ? tiktok : instagram;
  const sys = systemSelectors();
  return {
    ...own,
    screens: { ...sys.screens, ...own.screens },
    pages: { ...sys.pages, ...own.pages },
    popups: [...(sys.popups ?? []), ...(own.popups ?? [])],
  };
}

/** Overrides first, built-ins after; popups and pages with an override's name replace the built-in one. */
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
    shareActivities: { ...base.shareActivities, ...override.shareActivities },
    screens,
    pages: { ...base.pages, ...override.pages },
    popups: [...(override.popups ?? []), ...(base.popups ?? []).filter((p) => !overridden.has(p.name))],
    // an override's places replace the built-in ones of the same node
    places: { ...base.places, ...override.places },
  };
}

/** The app's selectors: built in, with `dataDir/selectors/<app>.json` over them when that file exists. */
export function loadSelectors(app: Platform, dataDir?: string): AppSelectors {
  const file = dataDir ? join(dataDir, "selectors", `${app}.json`) : "";
  if (!file || !existsSync(file)) return mergeSelectors(builtIn(app), {});
  let override: SelectorFile;
  try {
    override = JSON.parse(readFileSync(file, "utf8")) as SelectorFile;
  } catch (e) {
    throw new Error(`selector override ${file} is not valid JSON: ${(e as Error).message}`);
  }
  return mergeSelectors(builtIn(app), override);
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

/** The selector `screen.name` for a package and version; a missing one is a bug in the data file. */
export function selectorFor(
  selectors: AppSelectors,
  screen: string,
  name: string,
  pkg: string,
  version: string,
): Selector {
  const alternatives = selectors.screens[screen]?.[name];
  if (!alternatives) throw new Error(`no selector ${screen}.${name}`);
  return forVersion(alternatives, pkg, version);
}

/** The page `name` by its anchors (`screen.selector` names resolved for the package and version). */
export function pageFor(selectors: AppSelectors, name: string, pkg: string, version: string): Page {
  const data = selectors.pages[name];
  if (!data) throw new Error(`no page ${name}`);
  const named = (ref: string) => {
    const [screen = "", selector = ""] = ref.split(".");
    return selectorFor(selectors, screen, selector, pkg, version);
  };
  return { name: data.name, has: data.has.map(named), not: (data.not ?? []).map(named) };
}

/** The popups a Ui dismisses, for the package and version: the system's first. */
export function popupsFor(selectors: AppSelectors, pkg: string, version: string): Popup[] {
  return selectors.popups.map((p) => ({
    name: p.name,
    ...(p.when ? { when: forVersion(p.when, pkg, version) } : {}),
    tap: forVersion(p.tap, pkg, version),
  }));
}

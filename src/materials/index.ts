// The material library and the materials of each post: where a task's files come from (a list of files
// on this PC, a local folder, or the library), which one an account has not posted yet, and its caption.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, type Stats, statSync } from "node:fs";
import { rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { type Static, Type as T } from "@sinclair/typebox";
import type { AccountTasks, CheckOutcome } from "../domain.ts";
import { AppError, Code, type ErrorDetail } from "../errors.ts";
import { choice, suggest } from "../explain.ts";
import { showWhen } from "../field-hints.ts";
import type { AnyDb } from "../store/db.ts";
import { type MaterialFilter, MaterialStore, type Poster } from "../store/materials.ts";
import type { MaterialRow, MaterialUseRow } from "../store/schema.ts";
import { FetchFailed, hashFile, MaterialCache } from "./cache.ts";
import { type Caption, captionLines, finishCaption, type Random, readTextFile } from "./captions.ts";
import {
  checkMediaFile,
  FORMATS_OF,
  formatOfName,
  KIND_OF,
  type Kind,
  type MediaCheck,
  type MediaFile,
} from "./media.ts";
import { baseName, toLocalPath, toLocalPathIn } from "./paths.ts";
import { receiveUpload } from "./upload.ts";

export { FetchFailed } from "./cache.ts";
export { type Caption, finishCaption, spin } from "./captions.ts";
export type { Kind, MediaFile } from "./media.ts";

/**
 * The fields of a post's script_config that say where its materials come from: the library reads them, the
 * post script's schema is made of them (and its own).
 */
export const materialFields = {
  content_type: choice(
    [
      [0, "Video"],
      [1, "Images"],
    ],
    { default: 0, title: "What to post", description: "One video, or a set of images (image_count of them)" },
  ),
  image_count: T.Integer({
    minimum: 1,
    maximum: 35,
    default: 1,
    title: "Number of images",
    description: "How many images go into one post, 1 to 35",
    ...showWhen({ content_type: [1] }),
  }),
  captions: T.String({
    default: "",
    maxLength: 10000,
    title: "Caption",
    description:
      "The text posted with it. {a|b|c} picks one option per task; several lines are several captions, used in turn across tasks",
  }),
  material_source: choice(
    [
      ["materialLibrary", "Material library"],
      ["localFolder", "Folder on this PC"],
    ],
    {
      default: "materialLibrary",
      title: "Where the files come from",
      description:
        "The material library (files picked by tags) or a folder on this PC; files an account posted are not posted again. Ignored when material_list is given",
    },
  ),
  material_path: T.String({
    default: "",
    title: "Folder on this PC",
    description:
      "The folder whose files are posted (mp4, mov, jpg, jpeg, png, webp); an @username folder inside it holds that account's own",
    ...showWhen({ material_source: ["localFolder"] }),
  }),
  material_list: T.Array(T.String({ minLength: 1 }), {
    default: [],
    maxItems: 100,
    title: "Files to post",
    description:
      "Files on this PC (mp4, mov, jpg, jpeg, png, webp), in order; when given, these are posted and the source is ignored",
  }),
  materials_tags: T.String({
    default: "",
    title: "Library tags",
    description: "Post library files with any of these tags, separated by commas; empty: any file",
    ...showWhen({ material_source: ["materialLibrary"] }),
  }),
  include_possibly_posted: T.Boolean({
    default: false,
    title: "Also files possibly posted",
    description:
      "Also pick files this account may have posted already (Post was tapped, the post was never seen on the account)",
  }),
};
export const materialConfig = T.Object(materialFields);
export type MaterialConfig = Static<typeof materialConfig>;

/** The next line of a set (captions, comment templates) in `sequential` order, continuing across tasks. */
export interface Rotation {
  next(lines: string[]): Promise<string>;
}

/** What the post script needs to know about its task. */
export interface MaterialTask {
  id: number;
  serial: string;
  /** "@alice", "alice" or null (device mode without accounts). */
  username: string | null;
  platform: "tiktok" | "instagram";
  config: MaterialConfig;
}

/** A task's materials: the files to push, in order, and the caption to type. */
export interface PostMaterials {
  kind: Kind;
  /** By the path the library knows them by (what `material_uses` records). */
  files: MediaFile[];
  /** Where each of `files` is on this PC: its own path, or this node's copy of a file another node has. */
  local: string[];
  caption: Caption;
}

/**
 * Where this node stands on the farm: the library's files other nodes have are fetched from them, and a
 * post's files on disk are checked by the node that holds its phone.
 */
export interface MaterialFarm {
  /** Another node's answer over HTTP (with the farm's token); null: this PC is the whole farm (SQLite). */
  peers(): { fetch(node: string, path: string, init?: RequestInit): Promise<Response> } | null;
  /** The node that holds phone `serial`; null: this node (or not known). */
  holderOf(serial: string): Promise<string | null>;
}

/** The materials checks a node makes of a post for the phones it holds (POST /api/v1/material/paths-check). */
export const PATHS_CHECK = "/api/v1/material/paths-check";

/** A task's materials cannot be found when it runs: a permanent failure, said in a sentence. */
export class MaterialError extends Error {}

export const CAPTION_FILE = "caption.txt";
export const MAX_TAGS = 20;

const byName = new Intl.Collator("en", { numeric: true, sensitivity: "base" }).compare;
const kindOf = (c: MaterialConfig): Kind => (c.content_type === 1 ? "image" : "video");
const needOf = (c: MaterialConfig) => (c.content_type === 1 ? c.image_count : 1);
const posterOf = (task: Pick<MaterialTask, "serial" | "username">): Poster => ({
  username: task.username?.replace(/^@/, "") || null,
  serial: task.serial,
});
/** Whether two posts take their files from the same pool (a material_list is never used up). */
const samePool = (a: MaterialConfig, b: MaterialConfig) =>
  a.material_list.length === 0 &&
  b.material_list.length === 0 &&
  kindOf(a) === kindOf(b) &&
  a.material_source === b.material_source &&
  (a.material_source === "localFolder"
    ? a.material_path === b.material_path
    : parseTags(a.materials_tags).join().toLowerCase() === parseTags(b.materials_tags).join().toLowerCase());
/** Whether `path` is used up for this config: posted, or possibly posted unless the config picks those too. */
const taken = (used: Map<string, boolean>, path: string, config: MaterialConfig) =>
  used.has(path) && (used.get(path) === true || !config.include_possibly_posted);
const who = (p: Poster) => (p.username ? `@${p.username}` : `phone ${p.serial}`);
const plural = (n: number, kind: Kind) => `${n} ${kind}${n === 1 ? "" : "s"}`;
const describeFormats = (kind: Kind) => FORMATS_OF[kind].join("/");

/** "a, b ,, c" → ["a", "b", "c"], without duplicates (case-insensitive). */
export function parseTags(raw: string | string[]): string[] {
  const all = (Array.isArray(raw) ? raw : [raw]).flatMap((s) => s.split(","));
  const seen = new Set<string>();
  return all.map((t) => t.trim()).filter((t) => t && !seen.has(t.toLowerCase()) && seen.add(t.toLowerCase()));
}

function tagsIssue(tags: string[]): string | null {
  if (tags.length > MAX_TAGS) return `at most ${MAX_TAGS} tags`;
  const long = tags.find((t) => t.length > 50);
  return long ? `tag "${long.slice(0, 20)}…" is longer than 50 characters` : null;
}

const isFolder = (path: string) => existsSync(path) && statSync(path).isDirectory();
/** Whether the config's files are read from a disk (a material_list or a folder), not from the library. */
const readsDisk = (c: MaterialConfig) => c.material_list.length > 0 || c.material_source === "localFolder";
const HEX_SHA256 = /^[0-9a-f]{64}$/;
/** How long the node that holds a phone may take to say what it sees of a post's files (a slow share too). */
const HOLDER_CHECK_MS = 30_000;

/** The account's own `@username` folder inside `root`, matched without regard to case, as usernames are. */
function ownFolder(root: string, username: string): string | null {
  const want = `@${username}`.toLowerCase();
  const entry = readdirSync(root, { withFileTypes: true }).find(
    (e) => e.isDirectory() && e.name.toLowerCase() === want,
  );
  return entry ? join(root, entry.name) : null;
}

/** The postable files of `kind` directly in `folder`, in name order (their bytes are checked later). */
function folderFiles(folder: string, kind: Kind): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .filter((e) => !e.name.startsWith(".") && (e.isFile() || e.isSymbolicLink()))
    .filter((e) => {
      const format = formatOfName(e.name);
      return format !== null && KIND_OF[format] === kind;
    })
    .map((e) => e.name)
    .sort(byName)
    .map((name) => join(folder, name));
}

/**
 * The first `count` of `paths` whose bytes are what their names say; a library file another node has
 * (in `elsewhere`) is taken as its row says: its bytes were checked when it was added there.
 */
function firstPostable(
  paths: string[],
  kind: Kind,
  count: number,
  elsewhere: ReadonlyMap<string, MaterialRow> = new Map(),
): MediaFile[] {
  const out: MediaFile[] = [];
  for (const path of paths) {
    if (out.length >= count) break;
    const row = elsewhere.get(path);
    if (row) {
      const format = row.format as MediaFile["format"];
      if (KIND_OF[format] === kind) out.push({ path, format, kind, size: row.size });
      continue;
    }
    const checked = checkMediaFile(path, kind);
    if (checked.ok) out.push(checked.file);
  }
  return out;
}

/** At creation, on any node: what a material_list or a local folder's own fields get wrong (not the disk). */
function fileFieldIssues(config: MaterialConfig): ErrorDetail[] {
  const kind = kindOf(config);
  const need = needOf(config);
  if (config.material_list.length > 0 && config.material_list.length < need) {
    return [
      {
        path: "/script_config/image_count",
        message: `is ${need}, but material_list has ${plural(config.material_list.length, kind)}`,
      },
    ];
  }
  if (
    config.material_list.length === 0 &&
    config.material_source === "localFolder" &&
    !config.material_path
  ) {
    return [{ path: "/script_config/material_path", message: "required for localFolder" }];
  }
  return [];
}

/**
 * At creation, on the node that holds the phone (it reads them when the task runs): why the files of a
 * material_list or a local folder cannot be found on this PC; empty when they can, or when the library is
 * the source. A post that can only fail is never queued.
 */
function diskIssues(config: MaterialConfig): ErrorDetail[] {
  const kind = kindOf(config);
  const need = needOf(config);
  if (config.material_list.length > 0) {
    const issues: ErrorDetail[] = [];
    config.material_list.forEach((raw, i) => {
      const path = `/script_config/material_list/${i}`;
      const local = toLocalPath(raw);
      const checked = local.ok ? checkMediaFile(local.path, kind) : local;
      if (!checked.ok) issues.push({ path, message: checked.reason });
    });
    return issues;
  }
  if (config.material_source !== "localFolder" || !config.material_path) return [];
  const path = "/script_config/material_path";
  const local = toLocalPath(config.material_path);
  if (!local.ok) return [{ path, message: local.reason }];
  if (!isFolder(local.path)) return [{ path, message: `"${local.path}" is not a folder on this PC` }];
  try {
    // each account may have its own @username folder: one of them, or the folder itself, must do
    const folders = [
      local.path,
      ...readdirSync(local.path, { withFileTypes: true })
        .filter((e) => e.isDirectory() && e.name.startsWith("@"))
        .map((e) => join(local.path, e.name)),
    ];
    if (folders.some((f) => firstPostable(folderFiles(f, kind), kind, need).length >= need)) return [];
  } catch (e) {
    return [{ path, message: `"${local.path}" cannot be read: ${(e as Error).message}` }];
  }
  const what = need > 1 ? `${need} ${describeFormats(kind)} ${kind}s` : `${describeFormats(kind)} ${kind}`;
  return [{ path, message: `"${local.path}" (and its @username folders) has no ${what}` }];
}

export class Materials {
  private readonly store: MaterialStore;
  private readonly random: Random;
  private readonly cache: MaterialCache | null;
  /** The hash of each registered file as last read, with the size and time it had then. */
  private readonly hashes = new Map<number, { size: number; mtimeMs: number; sha256: string }>();

  constructor(
    db: AnyDb,
    private readonly opts: {
      uploadDir: string;
      maxUploadBytes: number;
      random?: Random;
      /** This node's name, recorded with each material added here (default null: this PC, no farm). */
      node?: string | null;
      /** Where files other nodes have are kept once fetched (DATA_DIR/cache/materials). */
      cacheDir?: string;
      farm?: MaterialFarm;
    },
  ) {
    this.store = new MaterialStore(db);
    this.random = opts.random ?? Math.random;
    this.cache = opts.cacheDir ? new MaterialCache(opts.cacheDir) : null;
  }

  /** `node` when it is another node of the farm; null for this one (or none: one PC is the whole farm). */
  private otherNode(node: string | null): string | null {
    const here = !node || node === this.opts.node || !this.opts.farm?.peers();
    return here ? null : node;
  }

  get maxUploadBytes(): number {
    return this.opts.maxUploadBytes;
  }

  // ---- the library -----------------------------------------------------------------------------------

  list(filter: MaterialFilter, page: number, pageSize: number) {
    return this.store.list(filter, page, pageSize);
  }

  byPath(path: string): Promise<MaterialRow | undefined> {
    return this.store.byPath(path);
  }

  /** Every post of each of `paths`, oldest first. */
  usesOf(paths: string[]): Promise<Map<string, MaterialUseRow[]>> {
    return this.store.usesOf(paths);
  }

  async get(id: number): Promise<MaterialRow> {
    const row = await this.store.get(id);
    if (!row) throw new AppError(Code.notFound, `material ${id} not found`);
    return row;
  }

  /** Registers a file of the user's by its path: it stays where it is, and is never deleted by us. */
  async register(rawPath: string, rawTags: string[] = []): Promise<MaterialRow> {
    const tags = parseTags(rawTags);
    const tagProblem = tagsIssue(tags);
    if (tagProblem) throw AppError.invalid(`tags: ${tagProblem}`, [{ path: "/tags", message: tagProblem }]);
    const local = toLocalPath(rawPath);
    if (!local.ok)
      throw AppError.invalid(`path: ${local.reason}`, [{ path: "/path", message: local.reason }]);
    const checked = checkMediaFile(local.path);
    if (!checked.ok) {
      throw AppError.invalid(`path: ${checked.reason}`, [{ path: "/path", message: checked.reason }]);
    }
    const existing = await this.store.byPath(local.path);
    if (existing) {
      throw new AppError(Code.conflict, `"${local.path}" is already material ${existing.id}`, {
        id: existing.id,
      });
    }
    const f = checked.file;
    return this.store.create({
      path: f.path,
      name: baseName(f.path),
      kind: f.kind,
      format: f.format,
      size: f.size,
      tags: JSON.stringify(tags),
      uploaded: 0,
      // hashed when first needed: registering a large file stays instant
      node: this.opts.node ?? null,
    });
  }

  /** Streams a multipart upload into the data folder and adds it to the library. */
  async upload(body: ReadableStream<Uint8Array>, contentType: string): Promise<MaterialRow> {
    const { file, fields } = await receiveUpload(body, contentType, {
      dir: this.opts.uploadDir,
      maxBytes: this.opts.maxUploadBytes,
    });
    try {
      const unknown = [...fields.keys()].filter((k) => k !== "tags");
      const [extra] = unknown;
      if (extra !== undefined) {
        const why = `is not a field of a material upload: ${suggest(extra, ["file", "tags"], "its fields are")}`;
        throw AppError.invalid(`${extra}: ${why}`, [{ path: `/${extra}`, message: why }]);
      }
      const tags = parseTags(fields.get("tags") ?? []);
      const tagProblem = tagsIssue(tags);
      if (tagProblem) throw AppError.invalid(`tags: ${tagProblem}`, [{ path: "/tags", message: tagProblem }]);
      const path = join(this.opts.uploadDir, `${crypto.randomUUID().slice(0, 8)}-${file.name}`);
      await rename(file.tempPath, path);
      return this.store.create({
        path,
        name: file.name,
        kind: KIND_OF[file.format],
        format: file.format,
        size: file.size,
        tags: JSON.stringify(tags),
        uploaded: 1,
        node: this.opts.node ?? null,
        sha256: file.sha256,
      });
    } finally {
      await rm(file.tempPath, { force: true });
    }
  }

  /** Forgets a material; our own uploaded copy is deleted with it, a file of the user's never is. */
  async remove(id: number): Promise<MaterialRow> {
    const row = await this.store.delete(id);
    if (!row) throw new AppError(Code.notFound, `material ${id} not found`);
    // another node's copy is its own to delete (the API passes the request on to it)
    if (row.uploaded && !this.otherNode(row.node)) await rm(row.path, { force: true });
    return row;
  }

  /**
   * A material's file on this PC, for GET /material/{id}/file: its path, size and hash (a registered file is
   * hashed when first asked for, and again when it changed). 40401 when the file is gone.
   */
  async localFile(row: MaterialRow): Promise<{ path: string; size: number; sha256: string }> {
    let st: Stats;
    try {
      st = await stat(row.path);
      if (!st.isFile()) throw new Error("not a file");
    } catch {
      const where = this.opts.node ? ` on node ${this.opts.node}` : "";
      throw new AppError(Code.notFound, `material ${row.id}'s file "${row.path}" is no longer there${where}`);
    }
    return { path: row.path, size: st.size, sha256: await this.hashOf(row, st) };
  }

  /** The hash of `row`'s file here: an upload's is known; a registered file's as last read, unless it changed. */
  private async hashOf(row: MaterialRow, st: Stats): Promise<string> {
    if (row.uploaded && row.sha256) return row.sha256;
    const known = this.hashes.get(row.id);
    if (known && known.size === st.size && known.mtimeMs === st.mtimeMs) return known.sha256;
    const sha256 = await hashFile(row.path);
    this.hashes.set(row.id, { size: st.size, mtimeMs: st.mtimeMs, sha256 });
    if (sha256 !== row.sha256) await this.store.setSha256(row.id, sha256);
    return sha256;
  }

  /** Drops copies of other nodes' files not needed lately (see MaterialCache.prune). */
  pruneCache(): void {
    this.cache?.prune();
  }

  /**
   * Where a library file is on this PC: its own path, or, when another node has it, this node's copy (fetched
   * from that node the first time, by GET /material/{id}/file). Throws FetchFailed naming the node.
   */
  async localCopy(row: MaterialRow): Promise<string> {
    const owner = this.otherNode(row.node);
    const peers = this.opts.farm?.peers();
    if (!owner || !peers) return row.path;
    const failed = (why: string) =>
      new FetchFailed(
        `material ${row.id} ("${row.name}") is on node ${owner} and could not be fetched from it: ${why}`,
      );
    if (!this.cache) throw failed("this node has no cache folder");
    const known = row.sha256 && (await this.cache.find(row.sha256, row.format));
    if (known) return known;
    try {
      return await this.cache.get(row.sha256 ?? `${owner}/${row.id}`, row.format, async (signal) => {
        const answer = await peers.fetch(owner, `/api/v1/material/${row.id}/file`, { signal });
        if (!answer.ok || !answer.body) {
          const said = await answer.json().then(
            (b) => (b as { message?: string }).message,
            () => null,
          );
          throw new FetchFailed(`it answered HTTP ${answer.status}${said ? `: ${said}` : ""}`);
        }
        const sha256 = answer.headers.get("x-content-sha256") ?? "";
        if (!HEX_SHA256.test(sha256)) {
          await answer.body.cancel().catch(() => {});
          throw new FetchFailed("its answer has no X-Content-SHA256");
        }
        return { body: answer.body, sha256 };
      });
    } catch (e) {
      throw failed((e as Error).message);
    }
  }

  // ---- a post's materials ----------------------------------------------------------------------------

  /**
   * At creation, before the phones are known: why the library cannot give `config` its files, or what its
   * material_list or folder fields get wrong; empty when nothing does. The disk is looked at later, by the
   * node that holds each phone (checkUnposted).
   */
  async check(config: MaterialConfig): Promise<ErrorDetail[]> {
    // files on a disk are checked by the node that holds the phone, once the phones are known (checkUnposted)
    return readsDisk(config) ? fileFieldIssues(config) : await this.checkLibrary(config);
  }

  /** At creation: why the library has too few files for this config (nothing when it has enough). */
  async checkLibrary(config: MaterialConfig): Promise<ErrorDetail[]> {
    const kind = kindOf(config);
    const need = needOf(config);
    const tags = parseTags(config.materials_tags);
    const rows = await this.store.withTags(kind, tags);
    const found = firstPostable(
      rows.map((m) => m.path),
      kind,
      need,
      this.elsewhereOf(rows),
    ).length;
    if (found >= need) return [];
    const tagged = tags.length > 0 ? ` tagged ${tags.map((t) => `"${t}"`).join(" or ")}` : "";
    const has = found === 0 ? `no ${kind}` : `only ${plural(found, kind)}`;
    return [
      {
        path: tags.length > 0 ? "/script_config/materials_tags" : "/script_config/material_source",
        message: `the material library has ${has}${tagged}${need > 1 ? ` (image_count is ${need})` : ""}: add some with POST /api/v1/material`,
      },
    ];
  }

  /**
   * At run time: the files this task posts (ones its account has not posted yet, in name order) and its
   * caption (the next line of the rotation, spun). Throws MaterialError when they cannot be found.
   */
  async forTask(task: MaterialTask): Promise<PostMaterials> {
    const config = task.config;
    const kind = kindOf(config);
    const need = needOf(config);
    const poster = posterOf(task);
    let files: MediaFile[];
    let local: string[];
    let captions = config.captions;
    if (config.material_list.length > 0) {
      const listed = config.material_list.map((raw) => {
        const local = toLocalPath(raw);
        const checked = local.ok ? checkMediaFile(local.path, kind) : local;
        if (!checked.ok) throw new MaterialError(`material missing: ${checked.reason}`);
        return checked.file;
      });
      // the user named these files: ones not posted yet come first, but a posted one may be posted again
      const used = await this.store.usedBy(
        listed.map((f) => f.path),
        poster,
      );
      files = [...listed.filter((f) => !used.has(f.path)), ...listed.filter((f) => used.has(f.path))].slice(
        0,
        need,
      );
      local = files.map((f) => f.path);
    } else {
      const pool = await this.pool(config, poster);
      files = await this.unusedFiles(pool, config, poster);
      local = [];
      for (const f of files) {
        const row = pool.elsewhere.get(f.path);
        local.push(row ? await this.localCopy(row) : f.path);
      }
      if (pool.folder && !captions.trim()) {
        const captionFile = [join(pool.folder, CAPTION_FILE), join(pool.root, CAPTION_FILE)].find(existsSync);
        if (captionFile) captions = readTextFile(captionFile);
      }
    }
    return { kind, files, local, caption: await this.nextCaption(captions, task.platform) };
  }

  /**
   * At creation, once the phones are known: a material_list's or folder's files as the node that holds each
   * phone sees them (it reads them when the task runs; 50302 when it cannot be asked), then why the library
   * (or folder) cannot give each account files it has not posted yet for each of its tasks (3 tasks of 2
   * images need 6); empty when it can. An account in use not read yet cannot be checked: a warning says so.
   */
  async checkUnposted(config: MaterialConfig, accounts: AccountTasks[]): Promise<CheckOutcome> {
    if (!readsDisk(config)) return this.unpostedHere(config, accounts);
    // a material_list or a folder is read by the node that runs the task: that node says what it sees
    const outcome: CheckOutcome = { issues: [], warnings: [] };
    for (const [holder, theirs] of await this.byHolder(accounts)) {
      const part = holder
        ? await this.askHolder(holder, config, theirs)
        : await this.checkHere(config, theirs);
      outcome.issues.push(...part.issues);
      outcome.warnings.push(...part.warnings);
    }
    return outcome;
  }

  /** What this node sees of a post's files on its disk, for the phones it holds (`accounts`): PATHS_CHECK. */
  async checkHere(config: MaterialConfig, accounts: AccountTasks[]): Promise<CheckOutcome> {
    const issues = diskIssues(config);
    return issues.length > 0 ? { issues, warnings: [] } : await this.unpostedHere(config, accounts);
  }

  /** `accounts` by the node that holds their phone; null: this one. */
  private async byHolder(accounts: AccountTasks[]): Promise<Map<string | null, AccountTasks[]>> {
    const out = new Map<string | null, AccountTasks[]>();
    for (const account of accounts) {
      const node = (await this.opts.farm?.holderOf(account.serial)) ?? null;
      const holder = this.otherNode(node);
      out.set(holder, [...(out.get(holder) ?? []), account]);
    }
    return out;
  }

  /** Asks node `holder` what it sees of the config's files for its phones; 50302 when it cannot answer. */
  private async askHolder(
    holder: string,
    config: MaterialConfig,
    accounts: AccountTasks[],
  ): Promise<CheckOutcome> {
    const phones = [...new Set(accounts.map((a) => a.serial))].join(", ");
    const refused = (why: string) =>
      new AppError(
        Code.nodeUnavailable,
        `node ${holder} holds phone ${phones} and could not check the post's files there: ${why}`,
        { node: holder },
      );
    const peers = this.opts.farm?.peers();
    if (!peers) throw refused("this node cannot reach other nodes");
    let answer: Response;
    try {
      answer = await peers.fetch(holder, PATHS_CHECK, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ script_config: config, accounts }),
        // a node that takes the connection and never answers holds POST /task no longer than this
        signal: AbortSignal.timeout(HOLDER_CHECK_MS),
      });
    } catch (e) {
      throw refused((e as Error).message);
    }
    const body = (await answer.json().catch(() => null)) as {
      code?: number;
      message?: string;
      data?: CheckOutcome;
    } | null;
    if (!answer.ok || body?.code !== 0 || !body.data) {
      throw refused(body?.message ?? `it answered HTTP ${answer.status}`);
    }
    // its sentences say "this PC": the user asked another one
    const there = (m: string) =>
      m.includes("this PC") ? m.replaceAll("this PC", `node ${holder}`) : `${m} (on node ${holder})`;
    return {
      issues: body.data.issues.map((i) => ({ ...i, message: there(i.message) })),
      warnings: body.data.warnings,
    };
  }

  /** checkUnposted for phones this node holds (a material_list may be posted again, so it always can). */
  private async unpostedHere(config: MaterialConfig, accounts: AccountTasks[]): Promise<CheckOutcome> {
    const outcome: CheckOutcome = { issues: [], warnings: [] };
    if (config.material_list.length > 0) return outcome;
    const kind = kindOf(config);
    for (const { serial, username, tasks, queued } of accounts) {
      if (username === null) {
        outcome.warnings.push(
          `could not check the material library for the account in use on ${serial}: not read yet ` +
            "(match_accounts reads it)",
        );
        continue;
      }
      const poster = posterOf({ serial, username });
      const { paths, where, folder, elsewhere } = await this.pool(config, poster);
      const before = (queued as MaterialConfig[]).filter((q) => samePool(q, config));
      const want = needOf(config) * tasks + before.reduce((n, q) => n + needOf(q), 0);
      const used = await this.store.usedBy(paths, poster);
      const fresh = firstPostable(
        paths.filter((p) => !taken(used, p, config)),
        kind,
        want,
        elsewhere,
      ).length;
      if (fresh >= want) continue;
      const tagged = parseTags(config.materials_tags).length > 0;
      const left = fresh === 0 ? `no ${kind}` : `only ${plural(fresh, kind)}`;
      const these = tasks === 1 ? "the task" : `${tasks} tasks`;
      const needs =
        before.length > 0
          ? `, and ${these} and ${before.length} queued before need ${want}`
          : want > 1
            ? `, and ${these} need${tasks === 1 ? "s" : ""} ${want}`
            : "";
      const posted = used.size === paths.length ? "all" : used.size === 0 ? "none" : String(used.size);
      const possibly = [...used.values()].filter((confirmed) => !confirmed).length;
      const unconfirmed =
        possibly > 0 && !config.include_possibly_posted
          ? `; ${possibly} of them possibly: not seen on the account, include_possibly_posted picks them`
          : "";
      const hint = folder
        ? "add more to the folder"
        : `upload more (POST /api/v1/material)${tagged ? " or choose another tag" : ""}`;
      outcome.issues.push({
        path: `/script_config/${folder ? "material_path" : tagged ? "materials_tags" : "material_source"}`,
        message:
          `${left} ${where} that ${who(poster)} has not posted yet${needs} ` +
          `(${plural(paths.length, kind)} there, ${posted} posted by ${who(poster)}${unconfirmed}): ${hint}`,
      });
    }
    return outcome;
  }

  /** The files a post as `poster` picks from, in name order: its folder's (own @username one first) or the library's. */
  private async pool(config: MaterialConfig, poster: Poster) {
    const kind = kindOf(config);
    if (config.material_source === "localFolder") {
      const local = toLocalPath(config.material_path);
      if (!local.ok) throw new MaterialError(`material folder: ${local.reason}`);
      if (!isFolder(local.path)) throw new MaterialError(`material folder "${local.path}" is not there`);
      const folder = (poster.username && ownFolder(local.path, poster.username)) || local.path;
      return {
        paths: folderFiles(folder, kind),
        where: `in "${folder}"`,
        folder,
        root: local.path,
        elsewhere: new Map<string, MaterialRow>(),
      };
    }
    const tags = parseTags(config.materials_tags);
    const rows = (await this.store.withTags(kind, tags)).sort(
      (a, b) => byName(a.name, b.name) || a.id - b.id,
    );
    const where = `in the material library${tags.length > 0 ? ` tagged ${tags.map((t) => `"${t}"`).join(" or ")}` : ""}`;
    return {
      paths: rows.map((r) => r.path),
      where,
      folder: null,
      root: null,
      elsewhere: this.elsewhereOf(rows),
    };
  }

  /** The rows of `rows` whose file another node has, by path. */
  private elsewhereOf(rows: MaterialRow[]): Map<string, MaterialRow> {
    return new Map(rows.filter((r) => this.otherNode(r.node)).map((r) => [r.path, r]));
  }

  /** Records that the task's account (or phone) posted these files: they are not picked for it again. */
  markPosted(task: Omit<MaterialTask, "config">, files: { path: string }[], at = Date.now()): Promise<void> {
    return this.store.recordUses(
      files.map((f) => f.path),
      posterOf(task),
      task.id,
      at,
    );
  }

  /**
   * Post was tapped: the files are possibly posted by the task's account until the post is seen on it
   * (`confirmPosted`) or the app says the upload failed (`dropPossiblyPosted`). Not picked for it again
   * meanwhile, unless a config says `include_possibly_posted`.
   */
  markPossiblyPosted(
    task: Omit<MaterialTask, "config">,
    files: { path: string }[],
    at = Date.now(),
  ): Promise<void> {
    return this.store.recordUses(
      files.map((f) => f.path),
      posterOf(task),
      task.id,
      at,
      false,
    );
  }

  /** The task's post of `files` was seen on the account: they are posted. */
  confirmPosted(taskId: number, files: { path: string }[]): Promise<void> {
    return this.store.confirmUses(
      taskId,
      files.map((f) => f.path),
    );
  }

  /** The task's post of `files` did not go up (the app said so): they are no longer possibly posted. */
  dropPossiblyPosted(taskId: number, files: { path: string }[]): Promise<void> {
    return this.store.dropPossibleUses(
      taskId,
      files.map((f) => f.path),
    );
  }

  /** The next caption of the set `captions` (one per line), rotating across tasks; empty when none. */
  async nextCaption(captions: string, platform: "tiktok" | "instagram"): Promise<Caption> {
    const lines = captionLines(captions);
    if (lines.length === 0) return { text: "", title: null, description: "" };
    return finishCaption(await this.nextLine(lines), platform, this.random);
  }

  /** The rotation of every set of lines, kept in the DB across tasks and restarts. */
  readonly rotation: Rotation = { next: (lines) => this.nextLine(lines) };

  /** The next of `lines` (not empty) in their rotation, kept in the DB across tasks and restarts. */
  async nextLine(lines: string[]): Promise<string> {
    const key = createHash("sha256").update(lines.join("\n")).digest("base64url");
    return lines[(await this.store.takeRotation(key)) % lines.length] as string;
  }

  private async unusedFiles(
    { paths, where, elsewhere }: Awaited<ReturnType<Materials["pool"]>>,
    config: MaterialConfig,
    poster: Poster,
  ) {
    const kind = kindOf(config);
    const need = needOf(config);
    const used = await this.store.usedBy(paths, poster);
    const files = firstPostable(
      paths.filter((p) => !taken(used, p, config)),
      kind,
      need,
      elsewhere,
    );
    if (files.length >= need) return files;
    const left = files.length === 0 ? `no ${kind}` : `only ${plural(files.length, kind)}`;
    const possibly = [...used.values()].filter((confirmed) => !confirmed).length;
    const skipped =
      possibly > 0 && !config.include_possibly_posted
        ? ` (${possibly} possibly posted: not seen on the account, include_possibly_posted picks them)`
        : "";
    throw new MaterialError(
      `${left} ${where} that ${who(poster)} has not posted yet${need > 1 ? ` (image_count is ${need})` : ""}${skipped}`,
    );
  }
}

/** The data folder's folder where files the operator names by a relative path live. */
export const UPLOAD_FOLDER = "upload";

/**
 * An image on this PC the operator names (a comment's image): an absolute path, or one relative to the data
 * folder's `upload/`; it must exist and be a jpg, jpeg, png or webp whose bytes agree.
 */
export function findImage(raw: string, dataDir: string | null): MediaCheck {
  const local = toLocalPathIn(raw, dataDir && join(dataDir, UPLOAD_FOLDER));
  return local.ok ? checkMediaFile(local.path, "image") : local;
}

export type { MaterialRow, MaterialUseRow } from "../store/schema.ts";

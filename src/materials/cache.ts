// Library files that another node of the farm has, kept on this node once fetched: named by their content's
// SHA-256 (DATA_DIR/cache/materials/<sha256>.<ext>), so the same bytes are fetched once however many tasks
// post them. A download streams to a temporary name and is renamed only once its hash is checked: a file in
// the cache is always whole. The cache is pruned by age and by total size, the way evidence is.
import { createHash, randomUUID } from "node:crypto";
import {
  closeSync,
  createReadStream,
  existsSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { mkdir, rename, rm, utimes } from "node:fs/promises";
import { join } from "node:path";

export interface CacheLimits {
  /** Above this total the files needed longest ago go first (never one needed within `keepMs`). */
  maxBytes: number;
  /** A file not needed for this long is removed, whatever the total. */
  maxAgeMs: number;
  /** A file needed this recently is kept, whatever the total: a task may be pushing it. */
  keepMs: number;
}

export const DEFAULT_CACHE_LIMITS: CacheLimits = {
  maxBytes: 10 * 1024 ** 3,
  maxAgeMs: 30 * 86_400_000,
  keepMs: 86_400_000,
};

/** The answer of the node that has the file: its bytes, and the hash it says they have. */
export interface Download {
  body: ReadableStream<Uint8Array>;
  sha256: string;
}

/** A file could not be fetched from the node that has it: running again later may work. */
export class FetchFailed extends Error {}

/** A download that stays silent this long (no bytes) is given up: the other node is stuck. */
const IDLE_MS = 60_000;
const PART = ".part-";

/** SHA-256 (hex) of a file on this PC, read as a stream. */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

export class MaterialCache {
  /** One download per file however many tasks need it at once, by the key they give. */
  private readonly fetching = new Map<string, Promise<string>>();

  constructor(
    private readonly dir: string,
    private readonly limits: CacheLimits = DEFAULT_CACHE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Where the file of hash `sha256` is, when the cache has it (marked as needed now). */
  async find(sha256: string, format: string): Promise<string | null> {
    const path = join(this.dir, `${sha256}.${format}`);
    if (!existsSync(path)) return null;
    const now = new Date(this.now());
    // a touch says "needed now": pruning goes by it
    await utimes(path, now, now).catch(() => {});
    return path;
  }

  /**
   * The file `key` names (a material on another node) fetched by `download` into the cache, unless the hash
   * it answers is there already. Concurrent calls with one key share one download. Throws FetchFailed.
   */
  get(key: string, format: string, download: (signal: AbortSignal) => Promise<Download>): Promise<string> {
    const running = this.fetching.get(key);
    if (running) return running;
    const done = this.fetch(format, download).finally(() => this.fetching.delete(key));
    this.fetching.set(key, done);
    return done;
  }

  private async fetch(format: string, download: (signal: AbortSignal) => Promise<Download>): Promise<string> {
    const idle = new AbortController();
    let timer = setTimeout(() => idle.abort(), IDLE_MS);
    const stillMoving = () => {
      clearTimeout(timer);
      timer = setTimeout(() => idle.abort(), IDLE_MS);
    };
    const temp = join(this.dir, `${PART}${randomUUID()}`);
    let fd: number | null = null;
    try {
      const answer = await download(idle.signal);
      // the node named a hash the cache already has (the same bytes as another material)
      const cached = await this.find(answer.sha256, format);
      if (cached) {
        await answer.body.cancel().catch(() => {});
        return cached;
      }
      await mkdir(this.dir, { recursive: true });
      const hash = createHash("sha256");
      fd = openSync(temp, "wx");
      // written synchronously chunk by chunk, as uploads are: memory stays flat whatever the size
      for await (const chunk of answer.body) {
        stillMoving();
        writeSync(fd, chunk);
        hash.update(chunk);
      }
      closeSync(fd);
      fd = null;
      const got = hash.digest("hex");
      if (got !== answer.sha256) {
        throw new FetchFailed(`the bytes received do not match their hash (${answer.sha256}, got ${got})`);
      }
      const path = join(this.dir, `${got}.${format}`);
      // another material with the same bytes may have just put them there (Windows refuses to replace a
      // file being pushed): theirs does
      await rename(temp, path).catch((e) => {
        if (!existsSync(path)) throw e;
      });
      this.prune();
      return path;
    } catch (e) {
      if (e instanceof FetchFailed) throw e;
      const why = idle.signal.aborted ? `nothing came for ${IDLE_MS / 1000} s` : (e as Error).message;
      throw new FetchFailed(`the download failed: ${why}`);
    } finally {
      clearTimeout(timer);
      if (fd !== null) closeSync(fd);
      await rm(temp, { force: true });
    }
  }

  /**
   * Drops files not needed for `maxAgeMs`, then those needed longest ago until the total fits `maxBytes`;
   * a file needed within `keepMs` stays. Downloads cut off by a crash (temporary names) older than that go too.
   */
  prune(): { removed: number } {
    if (!existsSync(this.dir)) return { removed: 0 };
    const now = this.now();
    const entries = readdirSync(this.dir).flatMap((name) => {
      try {
        const st = statSync(join(this.dir, name));
        return [{ name, path: join(this.dir, name), mtime: st.mtimeMs, bytes: st.size }];
      } catch {
        return []; // removed meanwhile
      }
    });
    let removed = 0;
    const drop = (path: string) => {
      rmSync(path, { force: true });
      removed++;
    };
    const files = entries.filter((e) => {
      if (!e.name.startsWith(PART)) return true;
      if (now - e.mtime > this.limits.keepMs) drop(e.path);
      return false;
    });
    files.sort((a, b) => a.mtime - b.mtime);
    let total = files.reduce((n, e) => n + e.bytes, 0);
    for (const e of files) {
      const age = now - e.mtime;
      if (age < this.limits.keepMs) break;
      if (age <= this.limits.maxAgeMs && total <= this.limits.maxBytes) break;
      drop(e.path);
      total -= e.bytes;
    }
    return { removed };
  }
}

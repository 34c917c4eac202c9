// Evidence of a failure: the phone's screen and UI dump at the moment a task failed, and of a post's proof:
// the screen that showed it on the account; kept in the data folder (evidence/TASK_ID/) and pruned by age
// and by total size.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Phone } from "../devices/index.ts";
import type { Scrub } from "../secrets.ts";

export interface EvidenceLimits {
  maxAgeDays: number;
  maxBytes: number;
}

const CAPTURE_TIMEOUT_MS = 20_000;

export class Evidence {
  constructor(
    private readonly dir: string,
    private readonly limits: EvidenceLimits,
    private readonly now: () => number = Date.now,
  ) {}

  private folder(taskId: number): string {
    return join(this.dir, String(taskId));
  }

  screenshotPath(taskId: number): string | null {
    const file = join(this.folder(taskId), "screenshot.png");
    return existsSync(file) ? file : null;
  }

  /** The screen that proved a post (see keepProof). */
  proofPath(taskId: number): string | null {
    const file = join(this.folder(taskId), "proof.png");
    return existsSync(file) ? file : null;
  }

  /** Keeps the screenshot that proved a task's post (its own post seen on the account). */
  keepProof(taskId: number, png: Uint8Array): void {
    const folder = this.folder(taskId);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, "proof.png"), png);
  }

  uiDumpPath(taskId: number): string | null {
    const file = join(this.folder(taskId), "ui.xml");
    return existsSync(file) ? file : null;
  }

  /** The screen and UI dump now; the dump's text passes `scrub` (the task's secrets) on its way to disk. */
  async capture(taskId: number, phone: Phone, scrub: Scrub = (text) => text): Promise<void> {
    const folder = this.folder(taskId);
    mkdirSync(folder, { recursive: true });
    const options = { timeoutMs: CAPTURE_TIMEOUT_MS };
    const [png, xml] = await Promise.allSettled([phone.screenshot(options), phone.dumpUiXml(options)]);
    if (png.status === "fulfilled") writeFileSync(join(folder, "screenshot.png"), png.value);
    if (xml.status === "fulfilled") writeFileSync(join(folder, "ui.xml"), scrub(xml.value));
    if (png.status === "rejected" && xml.status === "rejected") throw png.reason;
  }

  remove(taskId: number): void {
    rmSync(this.folder(taskId), { recursive: true, force: true });
  }

  /** Drops evidence older than the age limit, then the oldest until the total fits the size limit. */
  prune(): { removed: number } {
    if (!existsSync(this.dir)) return { removed: 0 };
    const entries = readdirSync(this.dir).map((name) => {
      const path = join(this.dir, name);
      const files = readdirSync(path).map((f) => statSync(join(path, f)));
      return {
        path,
        mtime: Math.max(0, ...files.map((f) => f.mtimeMs)),
        bytes: files.reduce((n, f) => n + f.size, 0),
      };
    });
    entries.sort((a, b) => a.mtime - b.mtime);
    const oldest = this.now() - this.limits.maxAgeDays * 86_400_000;
    let total = entries.reduce((n, e) => n + e.bytes, 0);
    let removed = 0;
    for (const e of entries) {
      if (e.mtime >= oldest && total <= this.limits.maxBytes) break;
      rmSync(e.path, { recursive: true, force: true });
      total -= e.bytes;
      removed++;
    }
    return { removed };
  }
}

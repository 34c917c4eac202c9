// The task service: what the API can do with tasks. Validation that needs the database happens here;
// every write is atomic, and a rejected request changes nothing.
import { type AdbState, adbDown } from "../devices/index.ts";
import { bareUsername, type Platform, STATUS_TEXT, type TaskSource, TaskStatus } from "../domain.ts";
import { AppError, Code, type ErrorDetail } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { ScriptRegistry } from "../scripts/registry.ts";
import type { AccountStore } from "../store/accounts.ts";
import type { DeviceStore } from "../store/devices.ts";
import type { AccountRow, TaskLogRow, TaskRow } from "../store/schema.ts";
import type { NewTask, RetrySkip, TaskFilter, TaskStore } from "../store/tasks.ts";
import type { TaskLifecycle } from "./lifecycle.ts";
import type { CreateTasksRequest } from "./request.ts";
import { nextOccurrence, randomGapMs } from "./schedule.ts";

export type { TaskLogRow, TaskRow };

/** Most tasks one request may create: beyond this a request is almost certainly a mistake. */
export const MAX_TASKS_PER_REQUEST = 10_000;

export interface TaskServiceDeps {
  lifecycle: TaskLifecycle;
  /** The scripts a request may name, and their checks. */
  scripts: ScriptRegistry;
  /** Read only (the type holds it to reads): every change goes through the lifecycle. */
  tasks: Pick<TaskStore, "get" | "list" | "logs" | "stats" | "retrySkipOf">;
  devices: DeviceStore;
  /** The adb server's state: an unknown serial while adb is down is said to be unseen for that reason. */
  adb?: () => AdbState;
  accounts: AccountStore;
  timezone: string;
  now?: () => Date;
  random?: () => number;
  /** Where a person's retries are said (default: nowhere). */
  log?: Logger;
}

interface Target {
  serial: string;
  account: AccountRow | null;
}

export class TaskService {
  private readonly now: () => Date;
  private readonly random: () => number;

  constructor(private readonly deps: TaskServiceDeps) {
    this.now = deps.now ?? (() => new Date());
    this.random = deps.random ?? Math.random;
  }

  create(req: CreateTasksRequest, source: TaskSource = "api"): { task_ids: number[]; created_count: number } {
    if (!req.script_name) throw AppError.scriptNameMissing();
    const script = this.deps.scripts.get(req.script_name);
    if (!script) {
      throw new AppError(Code.scriptUnsupported, `script "${req.script_name}" is not supported via the API`);
    }
    const hasSerials = req.serials !== undefined;
    const hasUsernames = req.usernames !== undefined;
    if (hasSerials === hasUsernames) {
      throw AppError.invalid(
        "give either serials (device mode) or usernames (username mode), not both or neither",
      );
    }
    if (script.usesAccount === false && (hasUsernames || req.enable_multi_account)) {
      throw AppError.invalid(
        `script "${script.name}" works on phones, not accounts: give serials, without enable_multi_account`,
      );
    }
    const minI = req.min_interval ?? 0;
    const maxI = req.max_interval ?? minI;
    if (maxI < minI) throw AppError.invalid(`max_interval (${maxI}) is less than min_interval (${minI})`);

    const resolved = this.deps.scripts.resolve(script, req.script_config);
    if (!resolved.ok) throw configRejected(resolved.errors);

    const targets = hasSerials ? this.deviceTargets(req) : this.usernameTargets(req);
    // the account's app, else the one the request names, else the one the config names (a post link)
    const platformOf = (account: Platform | undefined, config: Record<string, unknown>): Platform =>
      account ?? req.platform ?? script.platformOf?.(config) ?? "tiktok";
    const accountPlatforms = [...new Set(targets.map((t) => t.account?.platform))];
    const issues = resolved.configs.flatMap((config) =>
      [...new Set(accountPlatforms.map((p) => platformOf(p, config)))].flatMap(
        (platform) => script.checkPlatform?.(config, platform) ?? [],
      ),
    );
    const [first, ...more] = issues;
    if (first) throw configRejected([first, ...more]);
    const total = targets.length * resolved.configs.length;
    if (total > MAX_TASKS_PER_REQUEST) {
      throw AppError.invalid(
        `this request would create ${total} tasks; at most ${MAX_TASKS_PER_REQUEST} at once`,
      );
    }

    const now = this.now();
    const start = req.start_time ? nextOccurrence(req.start_time, this.deps.timezone, now).getTime() : null;
    const nextDue = new Map<string, number | null>();
    const rows: NewTask[] = [];
    for (const target of targets) {
      for (const config of resolved.configs) {
        // the first task on a phone is due at start (or now); each next one a random gap after the previous
        let due = start;
        if (nextDue.has(target.serial)) {
          const prev = nextDue.get(target.serial) ?? now.getTime();
          due = maxI > 0 ? prev + randomGapMs(minI, maxI, this.random) : prev;
        }
        nextDue.set(target.serial, due);
        rows.push({
          serial: target.serial,
          username: target.account ? `@${target.account.username}` : null,
          accountId: target.account?.id ?? null,
          platform: platformOf(target.account?.platform, config),
          scriptName: script.name,
          scriptConfig: JSON.stringify(config),
          source,
          startTime: req.start_time ?? null,
          scheduledAt: due,
        });
      }
    }
    const ids = this.deps.lifecycle.create(rows);
    return { task_ids: ids, created_count: ids.length };
  }

  private deviceTargets(req: CreateTasksRequest): Target[] {
    const serials = [...new Set((req.serials ?? []).map((s) => s.trim()))];
    if (serials.length === 0) throw AppError.invalid("serials: give at least one device serial");
    const unknown = this.deps.devices.unknown(serials);
    if (unknown.length > 0) {
      const adb = this.deps.adb?.();
      const down = adb !== undefined && adbDown(adb);
      const errors = unknown.map((s) => ({
        path: `/serials/${serials.indexOf(s)}`,
        message: down ? `device '${s}' cannot be seen: adb is down` : `unknown device '${s}'`,
      }));
      throw AppError.invalid(
        `${errors.map((e) => `serials[${e.path.split("/")[2]}]: ${e.message}`).join("; ")}` +
          (down ? ` (${adb.message})` : ""),
        errors,
      );
    }
    if (!req.enable_multi_account) return serials.map((serial) => ({ serial, account: null }));
    const platform = req.platform ?? "tiktok";
    const targets: Target[] = [];
    const empty: string[] = [];
    for (const serial of serials) {
      const accounts = this.deps.accounts.loggedInOn(serial, platform);
      if (accounts.length === 0) empty.push(serial);
      for (const account of accounts) targets.push({ serial, account });
    }
    if (empty.length > 0) {
      throw new AppError(
        Code.noAccount,
        `no logged-in ${platform} account on device ${empty.map((s) => `'${s}'`).join(", ")}`,
        { serials: empty },
      );
    }
    return targets;
  }

  private usernameTargets(req: CreateTasksRequest): Target[] {
    if (req.enable_multi_account) {
      throw AppError.invalid("enable_multi_account works in device mode only (with serials)");
    }
    const names = [...new Set((req.usernames ?? []).map(bareUsername).filter(Boolean))];
    if (names.length === 0) throw AppError.invalid("usernames: give at least one username");
    const found = this.deps.accounts.findByUsernames(names, req.platform);
    const byName = new Map<string, AccountRow[]>();
    for (const a of found) {
      const key = a.username.toLowerCase();
      byName.set(key, [...(byName.get(key) ?? []), a]);
    }
    const missing = names.filter((n) => !byName.has(n.toLowerCase()));
    if (missing.length > 0) {
      throw new AppError(Code.noAccount, `no account found for ${missing.map((n) => `'@${n}'`).join(", ")}`, {
        usernames: missing,
      });
    }
    const ambiguous = names.filter((n) => (byName.get(n.toLowerCase()) ?? []).length > 1);
    if (ambiguous.length > 0) {
      throw AppError.invalid(
        `${ambiguous.map((n) => `'@${n}'`).join(", ")} exists on both TikTok and Instagram: add "platform"`,
      );
    }
    // each name now has exactly one account
    return names.flatMap((n) =>
      (byName.get(n.toLowerCase()) ?? []).map((account) => ({ serial: account.device, account })),
    );
  }

  list(filter: TaskFilter, page: number, pageSize: number): { rows: TaskRow[]; total: number } {
    return this.deps.tasks.list(filter, page, pageSize);
  }

  get(id: number): { task: TaskRow; logs: TaskLogRow[] } {
    const task = this.deps.tasks.get(id);
    if (!task) throw notFound(id);
    return { task, logs: this.deps.tasks.logs(id) };
  }

  stats() {
    return this.deps.tasks.stats();
  }

  /** Running → aborted (its cleanup runs), pending → will not run; both end failed "stopped by user". */
  async stop(id: number): Promise<void> {
    const task = this.deps.tasks.get(id);
    if (!task) throw notFound(id);
    if (task.status === TaskStatus.completed || task.status === TaskStatus.failed) {
      throw new AppError(Code.conflict, `task ${id} has already finished (${statusText(task.status)})`);
    }
    await this.deps.lifecycle.stop(id);
  }

  async delete(id: number): Promise<void> {
    const { deleted_count } = await this.deleteBatch([id]);
    if (deleted_count === 0) throw notFound(id);
  }

  async deleteBatch(ids: number[]): Promise<{ deleted_count: number; not_found: number[] }> {
    const unique = [...new Set(ids)];
    const deleted = new Set(await this.deps.lifecycle.delete(unique));
    return { deleted_count: deleted.size, not_found: unique.filter((id) => !deleted.has(id)) };
  }

  /** Failed → pending. One that passed its point of no return (Post was tapped) only with `confirmRepost`. */
  retry(id: number, confirmRepost = false): void {
    const task = this.deps.tasks.get(id);
    if (!task) throw notFound(id);
    if (
      task.status === TaskStatus.failed &&
      !confirmRepost &&
      this.deps.tasks.retrySkipOf(id) === "post_tapped"
    ) {
      throw new AppError(
        Code.conflict,
        `task ${id} failed after ${task.irreversible}: it may already be published, and running it again may publish it twice; ` +
          'to run it again anyway, send {"confirm_repost": true}',
        { reason: "post_tapped", irreversible: task.irreversible },
      );
    }
    if (task.status !== TaskStatus.failed || !this.deps.lifecycle.retry(id)) {
      throw new AppError(
        Code.conflict,
        `only failed tasks can be retried; task ${id} is ${statusText(task.status)}`,
      );
    }
    this.deps.log?.child({ task: id, phone: task.serial }).info(`retry ${task.retryCount + 1} asked for`);
  }

  /** The retryable failed tasks, or with `includeAll` every failed one; says how many it left, and why. */
  retryAll(includeAll = false): {
    retried_count: number;
    skipped_count: number;
    skipped: Record<RetrySkip, number>;
  } {
    const { ids, skipped } = this.deps.lifecycle.retryAll(includeAll);
    const skipped_count = Object.values(skipped).reduce((a, b) => a + b, 0);
    this.deps.log?.info(`retry of failed tasks asked for: ${ids.length} retried, ${skipped_count} left`);
    return { retried_count: ids.length, skipped_count, skipped };
  }
}

/** 40001 naming the first issue with the script_config ("script_config.x: why"), all of them in data. */
function configRejected(errors: [ErrorDetail, ...ErrorDetail[]]): AppError {
  const [first] = errors;
  return AppError.invalid(`${first.path.slice(1).replaceAll("/", ".")}: ${first.message}`, errors);
}

const statusText = (s: number) => STATUS_TEXT[s] ?? String(s);
const notFound = (id: number) => new AppError(Code.notFound, `task ${id} not found`);

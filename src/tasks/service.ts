// The task service: what the API can do with tasks. Validation that needs the database happens here;
// every write is atomic, and a rejected request changes nothing.
import { type AdbState, adbDown } from "../devices/index.ts";
import {
  type AccountTasks,
  bareUsername,
  type Platform,
  STATUS_TEXT,
  type TaskSource,
  TaskStatus,
} from "../domain.ts";
import { AppError, Code, type ErrorDetail } from "../errors.ts";
import { suggest } from "../explain.ts";
import type { Logger } from "../log.ts";
import type { ScriptDefinition, ScriptRegistry } from "../scripts/registry.ts";
import type { AccountStore } from "../store/accounts.ts";
import type { DeviceStore } from "../store/devices.ts";
import type { AccountRow, TaskLogRow, TaskRow } from "../store/schema.ts";
import type { NewTask, RetrySkip, TaskFilter, TaskStore } from "../store/tasks.ts";
import type { TaskLifecycle } from "./lifecycle.ts";
import type { ProgressBoard, TaskProgress } from "./progress.ts";
import type { CreateTasksRequest } from "./request.ts";
import { nextOccurrence, randomGapMs, wallClock } from "./schedule.ts";
import { ADB_UNREACHABLE, type QueueState, type WaitingFor, waitingFor } from "./waiting.ts";

export type { TaskLogRow, TaskRow };

/** Most tasks one request may create: beyond this a request is almost certainly a mistake. */
export const MAX_TASKS_PER_REQUEST = 10_000;

export interface TaskServiceDeps {
  lifecycle: TaskLifecycle;
  /** The scripts a request may name, and their checks. */
  scripts: ScriptRegistry;
  /** Reads, and lines of a task's log: every change of state goes through the lifecycle. */
  tasks: Pick<TaskStore, "get" | "list" | "logs" | "stats" | "retrySkipOf" | "addLog">;
  devices: DeviceStore;
  /** The adb server's state: an unknown serial while adb is down is said to be unseen for that reason. */
  adb?: () => AdbState;
  accounts: AccountStore;
  timezone: string;
  /** The live state a pending task waits on (see waiting.ts). */
  queue: QueueState;
  /** How far the running tasks have got (default: unknown, null). */
  progress?: Pick<ProgressBoard, "of">;
  now?: () => Date;
  random?: () => number;
  /** Where a person's retries are said (default: nowhere). */
  log?: Logger;
  /** On a farm of several PCs: this node's name, and whether another is taken as stopped. */
  farm?: { self: string; stopped(node: string): boolean };
}

interface Target {
  serial: string;
  account: AccountRow | null;
}

/** What POST /task answers: the ids (the public contract), when each is due, and what will hold them. */
export interface Created {
  task_ids: number[];
  created_count: number;
  tasks: { id: number; serial: string; due_at: string }[];
  warnings: string[];
}

export class TaskService {
  private readonly now: () => Date;
  private readonly random: () => number;

  constructor(private readonly deps: TaskServiceDeps) {
    this.now = deps.now ?? (() => new Date());
    this.random = deps.random ?? Math.random;
  }

  async create(req: CreateTasksRequest, source: TaskSource = "api"): Promise<Created> {
    if (!req.script_name) throw AppError.scriptNameMissing();
    const script = this.deps.scripts.get(req.script_name);
    if (!script) {
      const names = this.deps.scripts.list().map((s) => s.name);
      throw new AppError(
        Code.scriptUnsupported,
        `script "${req.script_name}" is not supported via the API: ${suggest(req.script_name, names, "the scripts are")}`,
      );
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

    const resolved = await this.deps.scripts.resolve(script, req.script_config);
    if (!resolved.ok) throw configRejected(resolved.errors);

    const targets = hasSerials ? await this.deviceTargets(req) : await this.usernameTargets(req);
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
    const warnings = await this.checkAccounts(script, resolved.configs, targets, platformOf);

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
    const ids = await this.deps.lifecycle.create(rows);
    return {
      task_ids: ids,
      created_count: ids.length,
      tasks: rows.map((row, i) => ({
        id: ids[i] as number,
        serial: row.serial,
        due_at: new Date(row.scheduledAt ?? now.getTime()).toISOString(),
      })),
      warnings: [
        ...resolved.warnings,
        ...warnings,
        ...this.createWarnings(req.start_time, start, now.getTime(), [...nextDue.keys()]),
      ],
    };
  }

  /** What will keep new tasks from starting when expected: a start_time gone for today, phones not usable. */
  private createWarnings(
    startTime: string | undefined,
    start: number | null,
    now: number,
    serials: string[],
  ) {
    const { timezone, queue } = this.deps;
    const warnings: string[] = [];
    const today = wallClock(now, timezone).slice(0, 10);
    if (startTime && start !== null && wallClock(start, timezone).slice(0, 10) !== today) {
      warnings.push(
        `start_time ${startTime} has passed today (it is ${wallClock(now, timezone)}): due tomorrow, ${wallClock(start, timezone)}`,
      );
    }
    if (!queue.adbReachable()) warnings.push(ADB_UNREACHABLE);
    for (const serial of serials) {
      const phone = queue.phone(serial);
      if (phone?.state === "online") continue;
      const state = phone?.state ?? "offline";
      const hint = phone?.hint ? `: ${phone.hint}` : "";
      warnings.push(`phone ${serial} is ${state}${hint}; its tasks wait until it is online`);
    }
    return warnings;
  }

  /**
   * The script's checks of the accounts the tasks run as: in device mode, the account the phone last showed
   * in use. Throws on an issue; returns what could not be checked.
   */
  private async checkAccounts(
    script: ScriptDefinition,
    configs: Record<string, unknown>[],
    targets: Target[],
    platformOf: (account: Platform | undefined, config: Record<string, unknown>) => Platform,
  ): Promise<string[]> {
    if (!script.checkAccounts) return [];
    const warnings: string[] = [];
    for (const config of configs) {
      // one entry per account, with its count of tasks: they all take from the same files
      const byAccount = new Map<string, AccountTasks>();
      for (const { serial, account } of targets) {
        const inUse =
          (await this.deps.accounts.inUseOn(serial, platformOf(account?.platform, config)))?.username ?? null;
        const username = account?.username ?? inUse;
        const key = username === null ? `phone ${serial}` : `@${username.toLowerCase()}`;
        const entry = byAccount.get(key) ?? {
          serial,
          username,
          tasks: 0,
          queued: username === null ? [] : await this.queuedAs(script.name, serial, username, inUse),
        };
        entry.tasks++;
        byAccount.set(key, entry);
      }
      const outcome = await script.checkAccounts(config, [...byAccount.values()], this.deps.scripts.services);
      const [first, ...more] = outcome.issues;
      if (first) throw configRejected([first, ...more]);
      warnings.push(...outcome.warnings);
    }
    return warnings;
  }

  /** Why a task has not started yet; null unless it is pending. */
  waitingFor(row: TaskRow): WaitingFor | null {
    return waitingFor(row, this.deps.queue);
  }

  /** How far a task has got; null unless it is running. */
  progressOf(row: TaskRow): TaskProgress | null {
    return row.status === TaskStatus.running ? (this.deps.progress?.of(row.id) ?? null) : null;
  }

  /**
   * The configs of `script`'s unfinished tasks on `serial` that run as `username`: its own, and those of
   * device mode while it is the account in use there.
   */
  private async queuedAs(script: string, serial: string, username: string, inUse: string | null) {
    const same = (name: string | null) =>
      name !== null && bareUsername(name).toLowerCase() === username.toLowerCase();
    const rows: TaskRow[] = [];
    for (const status of [TaskStatus.pending, TaskStatus.running]) {
      rows.push(
        ...(await this.deps.tasks.list({ status, serial, scriptName: script }, 1, MAX_TASKS_PER_REQUEST))
          .rows,
      );
    }
    return rows
      .filter((t) => (t.username === null ? same(inUse) : same(t.username)))
      .map((t) => JSON.parse(t.scriptConfig) as Record<string, unknown>);
  }

  private async deviceTargets(req: CreateTasksRequest): Promise<Target[]> {
    const serials = [...new Set((req.serials ?? []).map((s) => s.trim()))];
    if (serials.length === 0) throw AppError.invalid("serials: give at least one device serial");
    const unknown = await this.deps.devices.unknown(serials);
    if (unknown.length > 0) {
      const known = (await this.deps.devices.list()).map((d) => d.serial);
      const adb = this.deps.adb?.();
      const down = adb !== undefined && adbDown(adb);
      const errors = unknown.map((s) => ({
        path: `/serials/${serials.indexOf(s)}`,
        message: down
          ? `device '${s}' cannot be seen: adb is down`
          : `unknown device '${s}': ${suggest(s, known, "the phones this service knows are")}`,
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
      const accounts = await this.deps.accounts.loggedInOn(serial, platform);
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

  private async usernameTargets(req: CreateTasksRequest): Promise<Target[]> {
    if (req.enable_multi_account) {
      throw AppError.invalid("enable_multi_account works in device mode only (with serials)");
    }
    const names = [...new Set((req.usernames ?? []).map(bareUsername).filter(Boolean))];
    if (names.length === 0) throw AppError.invalid("usernames: give at least one username");
    const found = await this.deps.accounts.findByUsernames(names, req.platform);
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

  list(filter: TaskFilter, page: number, pageSize: number): Promise<{ rows: TaskRow[]; total: number }> {
    return this.deps.tasks.list(filter, page, pageSize);
  }

  async get(id: number): Promise<{ task: TaskRow; logs: TaskLogRow[] }> {
    const task = await this.deps.tasks.get(id);
    if (!task) throw notFound(id);
    return { task, logs: await this.deps.tasks.logs(id) };
  }

  /** The node that ran the task's latest run (where its evidence is); null: this PC, or none yet. */
  async ranOn(id: number): Promise<string | null> {
    return (await this.deps.tasks.get(id))?.node ?? null;
  }

  stats() {
    return this.deps.tasks.stats();
  }

  /**
   * Running → aborted (its cleanup runs), pending → will not run; both end failed "stopped by user". A task
   * another PC runs ends here in the database; that PC hears of it and aborts its run (see Runner.endedElsewhere),
   * which the task's log says, with what is known of that PC.
   */
  async stop(id: number): Promise<void> {
    const task = await this.deps.tasks.get(id);
    if (!task) throw notFound(id);
    if (task.status === TaskStatus.completed || task.status === TaskStatus.failed) {
      throw new AppError(Code.conflict, `task ${id} has already finished (${statusText(task.status)})`);
    }
    const elsewhere = task.status === TaskStatus.running && !this.deps.lifecycle.runsHere(id);
    const stopped = await this.deps.lifecycle.stop(id);
    const { farm } = this.deps;
    if (!elsewhere || !stopped || !farm) return;
    const node = task.node ?? "the PC that runs it";
    const note =
      task.node && farm.stopped(task.node)
        ? `stopped by user on ${farm.self}: ${node}, which ran it, has stopped: nothing of it runs any more`
        : `stopped by user on ${farm.self}: ${node} is told through the database and aborts the run when it ` +
          "hears (at its next heartbeat at the latest); if it has stopped, the run ended with it";
    await this.deps.tasks.addLog(id, "warn", note, undefined, this.now().getTime());
    this.deps.log?.child({ task: id, phone: task.serial }).info(note);
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
  async retry(id: number, confirmRepost = false): Promise<void> {
    const task = await this.deps.tasks.get(id);
    if (!task) throw notFound(id);
    if (
      task.status === TaskStatus.failed &&
      !confirmRepost &&
      (await this.deps.tasks.retrySkipOf(id)) === "post_tapped"
    ) {
      throw new AppError(
        Code.conflict,
        `task ${id} failed after ${task.irreversible}: it may already be published, and running it again may publish it twice; ` +
          'to run it again anyway, send {"confirm_repost": true}',
        { reason: "post_tapped", irreversible: task.irreversible },
      );
    }
    if (task.status !== TaskStatus.failed || !(await this.deps.lifecycle.retry(id))) {
      throw new AppError(
        Code.conflict,
        `only failed tasks can be retried; task ${id} is ${statusText(task.status)}`,
      );
    }
    this.deps.log?.child({ task: id, phone: task.serial }).info(`retry ${task.retryCount + 1} asked for`);
  }

  /** The retryable failed tasks, or with `includeAll` every failed one; says how many it left, and why. */
  async retryAll(includeAll = false): Promise<{
    retried_count: number;
    skipped_count: number;
    skipped: Record<RetrySkip, number>;
  }> {
    const { ids, skipped } = await this.deps.lifecycle.retryAll(includeAll);
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

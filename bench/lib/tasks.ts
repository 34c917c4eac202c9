// What the service's database says about a run: each task's times, and the scheduling delay figures.
import { Database } from "bun:sqlite";

export interface TaskTimes {
  id: number;
  serial: string;
  status: number;
  /** created_at, or scheduled_at when later (a task spaced by min_interval is due then). */
  due: number;
  started: number | null;
  finished: number | null;
  /** Why it failed. */
  error: string | null;
}

/** Every task of the database file (read only; stop the service first), by phone, in the order they ran. */
export function readTaskTimes(dbFile: string): TaskTimes[] {
  const db = new Database(dbFile, { readonly: true });
  try {
    return db
      .query(
        `select id, serial, status, max(created_at, coalesce(scheduled_at, 0)) due, started_at started,
                finished_at finished, error
         from tasks order by serial, started_at, id`,
      )
      .all() as TaskTimes[];
  } finally {
    db.close();
  }
}

/** The same from a farm's PostgreSQL database (every node's tasks; the nodes may still run). */
export async function readTaskTimesPg(url: string): Promise<TaskTimes[]> {
  const sql = new Bun.SQL(url, { max: 1 });
  try {
    const rows = (await sql.unsafe(
      `select id, serial, status, greatest(created_at, coalesce(scheduled_at, 0)) due, started_at started,
              finished_at finished, error
       from tasks order by serial, started_at, id`,
    )) as Record<keyof TaskTimes, string | number | null>[];
    // bigint columns come back as strings
    const num = (v: string | number | null) => (v === null ? null : Number(v));
    return rows.map((r) => ({
      id: Number(r.id),
      serial: String(r.serial),
      status: Number(r.status),
      due: Number(r.due),
      started: num(r.started),
      finished: num(r.finished),
      error: r.error === null ? null : String(r.error),
    }));
  } finally {
    await sql.close();
  }
}

/** The value below which p % of `sorted` lie (NaN when empty). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

export interface RunFigures {
  /** started − ready, sorted: ready is when it was due and its phone had finished the task before it. */
  delays: number[];
  /** finished − started, sorted. */
  runs: number[];
  firstStart: number;
  lastFinish: number;
}

/** Scheduling delay (due → running, on a free phone) and on-phone time of the tasks that ran. */
export function runFigures(rows: TaskTimes[]): RunFigures {
  const delays: number[] = [];
  const runs: number[] = [];
  let prev: { serial: string; finished: number } | null = null;
  let firstStart = Number.POSITIVE_INFINITY;
  let lastFinish = 0;
  for (const r of rows) {
    if (r.started === null || r.finished === null) continue;
    const ready = prev && prev.serial === r.serial ? Math.max(r.due, prev.finished) : r.due;
    delays.push(r.started - ready);
    runs.push(r.finished - r.started);
    firstStart = Math.min(firstStart, r.started);
    lastFinish = Math.max(lastFinish, r.finished);
    prev = { serial: r.serial, finished: r.finished };
  }
  delays.sort((a, b) => a - b);
  runs.sort((a, b) => a - b);
  return { delays, runs, firstStart, lastFinish };
}

export interface QueueFigures {
  tasks: number;
  completed: number;
  failed: number;
  /** Completed ÷ (last finish − first start). */
  tasksPerS: number;
  delayP50: number;
  delayP99: number;
  delayMax: number;
  runP50: number;
  runP99: number;
}

/** What a bench prints of a queue's tasks: how many ended how, how fast, and their delays and run times. */
export function queueFigures(rows: TaskTimes[]): QueueFigures {
  const { delays, runs, firstStart, lastFinish } = runFigures(rows);
  const completed = rows.filter((r) => r.status === 2).length;
  return {
    tasks: rows.length,
    completed,
    failed: rows.filter((r) => r.status === 3).length,
    tasksPerS: completed / ((lastFinish - firstStart) / 1000),
    delayP50: percentile(delays, 50),
    delayP99: percentile(delays, 99),
    delayMax: delays.at(-1) ?? Number.NaN,
    runP50: percentile(runs, 50),
    runP99: percentile(runs, 99),
  };
}

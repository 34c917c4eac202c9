// A data folder filled for benchmarks: many tasks and 100 phones, written straight into the database.
import { join } from "node:path";
import { closeDb, openDb } from "../../src/store/db.ts";

/** Fills a fresh data folder with `n` tasks (a quarter in each status), two log lines each, and 100 phones. */
export function seed(dir: string, n: number): string {
  const file = join(dir, "farm.db");
  const db = openDb(file);
  const sqlite = db.$client;
  const now = Date.now();
  sqlite.transaction(() => {
    const dev = sqlite.prepare(
      "insert into devices (serial, transport, state, first_seen, last_seen) values (?, 'usb', 'online', ?, ?)",
    );
    for (let i = 0; i < 100; i++) dev.run(`BENCH-${i}`, now, now);
    const task = sqlite.prepare(
      `insert into tasks (serial, script_name, script_config, status, source, created_at, updated_at)
       values (?, ?, '{"target_users":["someone"],"target_user":"","access_method":"direct"}', ?, ?, ?, ?)`,
    );
    const log = sqlite.prepare(
      "insert into task_logs (task_id, at, level, message) values (?, ?, 'info', ?)",
    );
    for (let i = 1; i <= n; i++) {
      // two scripts and both sources, so that two-filter lists have something to tell apart
      const script = i % 3 === 0 ? "unfollow" : "follow";
      task.run(`BENCH-${i % 100}`, script, i % 4, i % 2 ? "api" : "ui", now - (n - i) * 1000, now);
      if (i <= 100_000) {
        log.run(i, now, "opened the app");
        log.run(i, now, "followed @someone");
      }
    }
  })();
  sqlite.exec("ANALYZE");
  closeDb(db);
  return file;
}

// Three nodes claiming one farm's phones at once on PostgreSQL: no task runs twice, no phone runs two tasks
// at a time, never more phones at once than the plan allows, and every task runs.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { TaskStatus } from "../../src/domain.ts";
import { closeStore, openPostgres, type PgDb } from "../../src/store/db.ts";
import { LeaseStore } from "../../src/store/leases.ts";
import { SecretBox } from "../../src/store/secret-box.ts";
import { TaskStore } from "../../src/store/tasks.ts";
import { type PrivatePostgres, skipPostgres, startPostgres } from "../helpers/postgres.ts";
import { newTask } from "../helpers/tasks.ts";

let pg: PrivatePostgres;
const dbs: PgDb[] = [];

beforeAll(async () => {
  if (!skipPostgres) pg = await startPostgres();
});
afterAll(async () => {
  for (const db of dbs) await closeStore(db);
  pg?.stop();
});

test.skipIf(skipPostgres)(
  "three nodes, four phones, 40 tasks, a limit of 3: each task once, one per phone",
  async () => {
    const url = await pg.database("farm_leases");
    const box = new SecretBox(randomBytes(32));
    for (let i = 0; i < 3; i++) dbs.push(await openPostgres(url));
    const phones = ["P1", "P2", "P3", "P4"];
    const setup = new TaskStore(dbs[0] as PgDb, box);
    const all = await setup.create(
      Array.from({ length: 40 }, (_, i) => newTask({ serial: phones[i % 4] as string })),
    );
    const LIMIT = 3;
    const runs: { node: string; serial: string; id: number; from: number; to: number }[] = [];
    let running = 0;
    let most = 0;
    const node = async (name: string, db: PgDb) => {
      const leases = new LeaseStore(db, box);
      const tasks = new TaskStore(db, box);
      for (let idle = 0; idle < 20; ) {
        let got = false;
        for (const serial of [...phones].sort(() => Math.random() - 0.5)) {
          const task = await leases.claim(name, serial, Date.now(), LIMIT);
          if (!task) continue;
          got = true;
          running++;
          most = Math.max(most, running);
          const from = performance.now();
          await Bun.sleep(2 + Math.random() * 6);
          running--;
          runs.push({ node: name, serial, id: task.id, from, to: performance.now() });
          expect(await tasks.markCompleted(task.id)).toBe(true);
          expect(await leases.release(name, serial)).toBe(true);
        }
        idle = got ? 0 : idle + 1;
        if (!got) await Bun.sleep(5);
      }
    };
    await Promise.all(dbs.map((db, i) => node(`pc-${i + 1}`, db)));
    // every task ran, once
    expect(runs.map((r) => r.id).sort((a, b) => a - b)).toEqual([...all].sort((a, b) => a - b));
    expect((await setup.stats()).completed).toBe(40);
    // a phone's runs never overlap
    for (const serial of phones) {
      const mine = runs.filter((r) => r.serial === serial).sort((a, b) => a.from - b.from);
      for (let i = 1; i < mine.length; i++) {
        expect((mine[i] as (typeof mine)[0]).from).toBeGreaterThanOrEqual(
          (mine[i - 1] as (typeof mine)[0]).to,
        );
      }
    }
    expect(most).toBeLessThanOrEqual(LIMIT);
    // the work was shared
    expect(new Set(runs.map((r) => r.node)).size).toBeGreaterThan(1);
    expect((await setup.get(all[0] as number))?.status).toBe(TaskStatus.completed);
  },
);

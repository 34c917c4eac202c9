// Expiry is judged against the latest time the service has seen (kept in its database), so setting the
// PC's clock back does not revive an expired license.
import { afterAll, afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closeDb, openDb } from "../../src/store/db.ts";
import { MetaStore } from "../../src/store/meta.ts";
import { ManualClock } from "../../src/tasks/clock.ts";
import { testKeys, writeLicense } from "../helpers/license.ts";
import { startTestService, type TestService } from "../helpers/service.ts";

const EXPIRES = "2030-06-30T23:59:59.999Z";
const BEFORE = Date.parse("2030-06-01T12:00:00.000Z");
const AFTER = Date.parse("2030-07-15T12:00:00.000Z");

const work = mkdtempSync(join(tmpdir(), "farm-lic-clock-"));
const licenseFile = writeLicense(work, { plan: "Team", licensee: "Acme", expires_at: EXPIRES });
let s: TestService | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function serviceAt(dataDir: string, clock: ManualClock): Promise<TestService> {
  return await startTestService({ dataDir, licenseFile }, { clock, licensePublicKey: testKeys.publicKey });
}

async function plan(service: TestService) {
  return (await service.call("GET", "/api/v1/license/check")).body.data;
}

test("a license stays expired after the clock is set back, across a restart", async () => {
  const dataDir = mkdtempSync(join(work, "data-"));
  const clock = new ManualClock(BEFORE);
  s = await serviceAt(dataDir, clock);
  expect(await plan(s)).toMatchObject({ plan_name: "Team", device_limit: 50 });

  clock.set(AFTER);
  expect(await plan(s)).toMatchObject({ plan_name: "Free", device_limit: 2 });
  // set back while running
  clock.set(BEFORE);
  const running = await plan(s);
  expect(running.plan_name).toBe("Free");
  expect(running.warning).toMatch(
    /expired on 2030-06-30.*clock is behind: the service already saw 2030-07-15/,
  );
  await s.stop();

  // the database remembers the latest time seen
  const db = openDb(join(dataDir, "farm.db"));
  expect(Number(await new MetaStore(db).get("latest_time_seen"))).toBe(AFTER);
  closeDb(db);

  // restarted with the clock still set back: expired all the same
  s = await serviceAt(dataDir, new ManualClock(BEFORE));
  expect(await plan(s)).toMatchObject({ plan_name: "Free", device_limit: 2 });
  expect(s.license.state().warning).toMatch(/expired/);
});

test("on a database that never saw a later time, the same license at the same clock is valid", async () => {
  s = await serviceAt(mkdtempSync(join(work, "data-")), new ManualClock(BEFORE));
  expect(await plan(s)).toMatchObject({ plan_name: "Team", licensee: "Acme", warning: null });
});

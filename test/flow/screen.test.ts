/** The UI toolkit on a virtual phone: find by combinations, wait with a timeout, abort, popups. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VirtualPhone } from "@farm/virtual-phone";
import { connectDirect, FileCredentialStore, Phone } from "../../src/devices/index.ts";
import { REUSE_MS, ScreenNeverCame, Ui } from "../../src/scripts/screen/index.ts";
import { ManualClock } from "../../src/tasks/clock.ts";
import { waitFor } from "../helpers/wait.ts";

const TT = "com.zhiliaoapp.musically";
let work: string;
let sim: VirtualPhone;
let phone: Phone;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "farm-ui-"));
  sim = await VirtualPhone.start({ auth: "none", packages: [TT] });
  const adb = await connectDirect({
    host: "127.0.0.1",
    port: sim.port,
    credentialStore: new FileCredentialStore(work),
  });
  phone = new Phone(adb, { serial: sim.serial, transport: "direct" });
  await phone.startApp(TT);
});

afterAll(async () => {
  await phone?.close();
  await sim?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("Ui", () => {
  test("find by id, desc, class and regex together; alternatives in order", async () => {
    const ui = new Ui(phone, new AbortController().signal);
    const screen = await ui.dump();
    expect(ui.dumps).toBe(1);
    const create = screen.find([{ id: `${TT}:id/mkn`, descRegex: "^cre", clickable: true }]);
    expect(create?.contentDesc).toBe("Create");
    expect(screen.find([{ id: `${TT}:id/mkn`, class: "no.such.Class" }])).toBeUndefined();
    // the first alternative that matches anything wins, even when a later one matches earlier nodes
    expect(screen.find([{ id: "nothing" }, { desc: "Create" }])?.resourceId).toBe(`${TT}:id/mkn`);
  });

  test("a popup is dismissed by its button before the wanted node is tapped", async () => {
    // first launch shows "Find your friends" over Home
    expect(sim.apps.tiktok.popup?.name).toBe("contacts");
    const logs: string[] = [];
    const ui = new Ui(phone, new AbortController().signal, {
      popups: [{ name: "contacts", tap: [{ text: "Don’t allow" }] }],
      log: (m) => logs.push(m),
    });
    await ui.waitAndTap("Create", [{ desc: "Create" }]);
    expect(logs).toEqual(['dismissed popup "contacts"']);
    expect(ui.taps.map((t) => t.what)).toEqual(['popup "contacts"', "Create"]);
    expect(sim.apps.tiktok.screen).toBe("camera");
    await phone.keyEvent(4);
  });

  test("waitFor names the screen that never came, after its timeout", async () => {
    const ui = new Ui(phone, new AbortController().signal);
    const started = Date.now();
    const error = await ui
      .waitFor("the moon", { moon: [{ text: "Moon" }] }, { timeoutMs: 600, intervalMs: 200 })
      .catch((e) => e);
    expect(error).toBeInstanceOf(ScreenNeverCame);
    expect((error as ScreenNeverCame).what).toBe("the moon");
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(ui.dumps).toBeGreaterThanOrEqual(2);
  });

  test("waitUntil returns what its check finds once the screen changes; undefined keeps it waiting", async () => {
    const ui = new Ui(phone, new AbortController().signal);
    const checked: string[] = [];
    let tapped: Promise<void> | undefined;
    const found = await ui.waitUntil(
      "the camera",
      (screen) => {
        const record = screen.find([{ desc: "Record video" }]);
        checked.push(record ? "camera" : "other");
        // the first look sees Home: Create is tapped, a later look sees the camera
        tapped ??= phone.tap(540, 2269);
        return record?.contentDesc;
      },
      { timeoutMs: 10_000, intervalMs: 200 },
    );
    await tapped;
    expect(found).toBe("Record video");
    expect(checked[0]).toBe("other");
    expect(checked.at(-1)).toBe("camera");
    await phone.keyEvent(4);
  });

  test("an abort ends a wait at once with its reason", async () => {
    const controller = new AbortController();
    // time never moves: the wait's pause cannot end, nor its timeout come; only the abort ends it
    const ui = new Ui(phone, controller.signal, { clock: new ManualClock(Date.now()) });
    const waiting = ui.waitFor(
      "the moon",
      { moon: [{ text: "Moon" }] },
      { timeoutMs: 60_000, intervalMs: 5000 },
    );
    await waitFor("the first look", () => ui.dumps === 1 && ui.last);
    controller.abort(new Error("stopped"));
    expect(await waiting.catch((e) => (e as Error).message)).toMatch(/stopped|aborted/);
    expect(ui.dumps).toBe(1);
  });

  test("a screen is reused while nothing was sent to the phone, for REUSE_MS at most", async () => {
    const clock = new ManualClock(Date.now());
    const ui = new Ui(phone, new AbortController().signal, { clock });
    const home = [{ desc: "Create" }];
    await ui.waitFor("Home", { home });
    await ui.waitFor("Create on Home", { home });
    expect(ui.dumps).toBe(1);
    // a shell command sent (it may have changed anything): the screen is read again
    await phone.shell("true");
    expect(ui.current()).toBeUndefined();
    await ui.waitFor("Home", { home });
    expect(ui.dumps).toBe(2);
    // too old: an app changes by itself
    clock.advance(REUSE_MS + 1);
    expect(ui.current()).toBeUndefined();
    await ui.waitFor("Home", { home });
    expect(ui.dumps).toBe(3);
  });
});

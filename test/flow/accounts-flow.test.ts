/**
 * Accounts on phones, read from the apps' own screens on virtual phones (real ADB over TCP): the account in
 * use, the switcher's list, a verified switch, the failures (not signed in, a switch that does not take),
 * and match_accounts recording what it saw in a real accounts table.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ScriptError } from "../../src/scripts/errors.ts";
import { matchAccounts } from "../../src/scripts/match-accounts/index.ts";
import {
  NotSignedIn,
  readAccountInUse,
  switchTo,
  useTaskAccount,
} from "../../src/scripts/screen/accounts.ts";
import { AccountStore } from "../../src/store/accounts.ts";
import { openDb } from "../../src/store/db.ts";
import { openSecretBox } from "../../src/store/secret-box.ts";
import { flowContext, INSTAGRAM, startFlowPhone, stopFlowPhones, TRILL } from "../helpers/flow.ts";

let work: string;
let store: AccountStore;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "farm-accounts-flow-"));
  const db = openDb(join(work, "farm.db"));
  store = new AccountStore(db, await openSecretBox(db, work));
});
afterEach(stopFlowPhones);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const accounts = { tiktok: ["ana.farm", "bo_farm", "cy_farm"], instagram: ["ig_one", "ig_two"] };
const named = async (serial: string) =>
  (await store.onDevice(serial)).map((a) => `${a.platform}:${a.username}:${a.logined}`).sort();

describe("the account in use and switching", () => {
  for (const platform of ["tiktok", "instagram"] as const) {
    test(`${platform}: switch to another account, verified on the profile; the next switch back too`, async () => {
      const { sim, phone } = await startFlowPhone(work, { accounts });
      const run = flowContext(phone, platform, { accounts: store });
      const session = await run.ctx.openApp();
      const target = accounts[platform][1] as string;
      const out = await switchTo(run.ctx, session, `@${target}`);
      expect(out.from).toBe(accounts[platform][0] as string);
      expect(out.listed).toEqual(accounts[platform]);
      expect(sim.apps[platform].account).toBe(target);
      expect(sim.apps[platform].switches).toBe(1);
      // already in use: nothing tapped in the switcher
      const again = await switchTo(run.ctx, session, target.toUpperCase());
      expect(again.from).toBeNull();
      expect(sim.apps[platform].switches).toBe(1);
    });
  }

  test("an account not in the switcher: permanent, naming who is signed in; the table marks it logged out", async () => {
    const { sim, phone } = await startFlowPhone(work, { accounts });
    await store.recordSeen({
      serial: phone.serial,
      platform: "tiktok",
      packagename: "com.zhiliaoapp.musically",
      usernames: ["gone_user"],
      complete: false,
    });
    const run = flowContext(phone, "tiktok", { accounts: store, username: "@gone_user" });
    const error = await useTaskAccount(run.ctx).catch((e) => e);
    expect(error).toBeInstanceOf(NotSignedIn);
    expect((error as ScriptError).errorClass).toBe("permanent");
    expect((error as Error).message).toBe(
      `@gone_user is not logged in on TikTok on ${phone.serial} (signed in: @ana.farm, @bo_farm, @cy_farm)`,
    );
    expect(await named(phone.serial)).toContain("tiktok:gone_user:0");
    expect(sim.apps.tiktok.account).toBe("ana.farm");
  });

  test("a switch that does not take: retryable 'wrong account active'", async () => {
    const { sim, phone } = await startFlowPhone(work, { accounts });
    sim.apps.tiktok.switchFails.add("cy_farm");
    const run = flowContext(phone, "tiktok", { accounts: store, username: "cy_farm" });
    const error = await useTaskAccount(run.ctx).catch((e) => e);
    expect((error as ScriptError).errorClass).toBe("retryable");
    expect((error as Error).message).toBe(
      "wrong account active: switching to @cy_farm on TikTok left @ana.farm in use",
    );
  });

  test("device mode reads the account in use and records it; a signed-out app is a permanent failure", async () => {
    const { sim, phone } = await startFlowPhone(work, { accounts: { tiktok: ["solo_tt"], instagram: [] } });
    const tiktok = await useTaskAccount(flowContext(phone, "tiktok", { accounts: store }).ctx);
    expect(tiktok.username).toBe("solo_tt");
    expect((await store.get(tiktok.accountId))?.device).toBe(phone.serial);
    expect((await store.get(tiktok.accountId))?.lastSeenAt).toBeNumber();
    const error = await useTaskAccount(flowContext(phone, "instagram", { accounts: store }).ctx).catch(
      (e) => e,
    );
    expect((error as ScriptError).errorClass).toBe("permanent");
    expect((error as Error).message).toMatch(/^no Instagram account is logged in on /);
    expect(sim.apps.instagram.account).toBeNull();
    // Instagram's sign-in screen is in front now: TikTok is read once its launch took effect, not on
    // Instagram's "Log in" (a screen change takes time on a realistic phone)
    const again = await useTaskAccount(flowContext(phone, "tiktok", { accounts: store }).ctx);
    expect(again.username).toBe("solo_tt");
  });
});

describe("the Profile tab where it lies", () => {
  /** The taps and the dumps of one cold read of the account in use, in order. */
  async function coldRead(flow: Awaited<ReturnType<typeof startFlowPhone>>) {
    const { sim, phone } = flow;
    const run = flowContext(phone, "tiktok", { accounts: store });
    const session = await run.ctx.openApp();
    const from = sim.commands.length;
    const inUse = await readAccountInUse(run.ctx, session, { restart: true });
    const reads = sim.commands
      .slice(from)
      .map((c) => c.command)
      .filter((c) => c.startsWith("input tap") || c.startsWith("uiautomator dump"))
      .map((c) => (c.startsWith("input") ? "tap" : "dump"));
    return { inUse, taps: session.ui.taps.map((t) => t.what), reads, logs: run.logs };
  }

  test("after a cold start, 43.1.4's Profile tab on a 1080x2400 screen is tapped where it lies: no dump of the feed first", async () => {
    const flow = await startFlowPhone(work, { accounts, popups: false });
    const { inUse, taps, reads } = await coldRead(flow);
    expect(inUse).toBe("ana.farm");
    expect(taps).toEqual(["the Profile tab (where this phone shows it)"]);
    expect(reads[0]).toBe("tap");
  });

  test("a dialog over the feed after the cold start: the tap where the tab lies misses, the dialog is answered, the tab found on the screen", async () => {
    const flow = await startFlowPhone(work, { accounts });
    const { inUse, taps } = await coldRead(flow);
    expect(inUse).toBe("ana.farm");
    expect(taps).toEqual(["the Profile tab (where this phone shows it)", 'popup "contacts"', "Profile"]);
  });

  test("a tap where the tab lies that shows no profile (lost): the tab is found on the screen and tapped", async () => {
    const flow = await startFlowPhone(work, { accounts, popups: false });
    const tap = flow.sim.device.tap.bind(flow.sim.device);
    let taps = 0;
    flow.sim.device.tap = (x: number, y: number) => {
      if (taps++ > 0) tap(x, y);
    };
    const first = await coldRead(flow);
    expect(first.inUse).toBe("ana.farm");
    expect(first.taps).toEqual(["the Profile tab (where this phone shows it)", "Profile"]);
    expect(first.logs).toContain(
      "the tap where the Profile tab lies did not show the profile: the tab is looked for on the screen",
    );
    // the place learnt from that dump serves the next cold start
    const second = await coldRead(flow);
    expect(second.inUse).toBe("ana.farm");
    expect(second.taps).toEqual(["the Profile tab (where this phone shows it)"]);
  });

  test("a tap where the tab lies that opens another user's profile (an avatar there): not read as the own one", async () => {
    const flow = await startFlowPhone(work, { accounts, popups: false });
    const tap = flow.sim.device.tap.bind(flow.sim.device);
    let taps = 0;
    flow.sim.device.tap = (x: number, y: number) => {
      if (taps++ > 0) return tap(x, y);
      // the same ids for the name and the handle as the own profile, on a page without the tab bar
      flow.sim.apps.tiktok.launch({
        action: "android.intent.action.VIEW",
        data: "https://www.tiktok.com/@chef.marco",
        categories: [],
        extras: {},
        streams: [],
      });
    };
    const run = flowContext(flow.phone, "tiktok", { accounts: store });
    const session = await run.ctx.openApp();
    const read = await readAccountInUse(run.ctx, session, { restart: true }).catch((e: Error) => e);
    // never @chef.marco: the page without a tab bar is a miss, and no tab is there to tap
    expect(read).toBeInstanceOf(Error);
    expect(run.logs).toContain(
      "the tap where the Profile tab lies did not show the profile: the tab is looked for on the screen",
    );
  });

  test("a screen the data file has no place for: the tab is found on a dump, and where it was serves the next cold start", async () => {
    const flow = await startFlowPhone(work, {
      accounts,
      popups: false,
      screen: { width: 720, height: 1600 },
    });
    const first = await coldRead(flow);
    expect(first.inUse).toBe("ana.farm");
    expect(first.taps).toEqual(["Profile"]);
    expect(first.reads[0]).toBe("dump");
    const second = await coldRead(flow);
    expect(second.inUse).toBe("ana.farm");
    expect(second.taps).toEqual(["the Profile tab (where this phone shows it)"]);
    expect(second.reads[0]).toBe("tap");
  });
});

describe("match_accounts", () => {
  test("records every app's accounts; a second run moves, logs out and confirms; hand-registered ones too", async () => {
    const first = await startFlowPhone(work, { accounts });
    const second = await startFlowPhone(work, {
      accounts: { tiktok: ["bo_farm", "dee_farm"], instagram: [] },
      packages: [TRILL, INSTAGRAM],
    });
    const handTyped = await store.create({
      username: "ig_two",
      platform: "instagram",
      device: first.phone.serial,
      packagename: null,
      email: null,
      password: null,
      logined: 1,
      status: 1,
      tags: "[]",
    });
    expect((await store.get(handTyped))?.lastSeenAt).toBeNull();

    const run = flowContext(first.phone, "tiktok", { accounts: store });
    await matchAccounts.run(run.ctx as never);
    expect(await named(first.phone.serial)).toEqual([
      "instagram:ig_one:1",
      "instagram:ig_two:1",
      "tiktok:ana.farm:1",
      "tiktok:bo_farm:1",
      "tiktok:cy_farm:1",
    ]);
    expect((await store.get(handTyped))?.lastSeenAt).toBeNumber();
    expect(run.logs).toContain(`5 account(s) logged in on ${first.phone.serial}`);
    // reading the switchers switched nothing
    expect(first.sim.apps.tiktok.switches + first.sim.apps.instagram.switches).toBe(0);

    // bo_farm now lives on the second phone (the regional TikTok); cy_farm logs out of the first
    first.sim.apps.tiktok.logOut("bo_farm");
    first.sim.apps.tiktok.logOut("cy_farm");
    const run2 = flowContext(second.phone, "tiktok", { accounts: store });
    await matchAccounts.run(run2.ctx as never);
    expect(run2.logs.join("\n")).toContain(`@bo_farm moved here from ${first.phone.serial}`);
    expect(await named(second.phone.serial)).toEqual(["tiktok:bo_farm:1", "tiktok:dee_farm:1"]);
    expect((await store.onPhone(second.phone.serial, "tiktok"))[0]?.packagename).toBe(TRILL);
    await matchAccounts.run(flowContext(first.phone, "tiktok", { accounts: store }).ctx as never);
    expect(await named(first.phone.serial)).toEqual([
      "instagram:ig_one:1",
      "instagram:ig_two:1",
      "tiktok:ana.farm:1",
      "tiktok:cy_farm:0",
    ]);
  });

  test("a phone with neither app: permanent, saying so", async () => {
    const { phone } = await startFlowPhone(work, { packages: [] });
    const error = await matchAccounts.run(flowContext(phone, "tiktok").ctx as never).catch((e) => e);
    expect((error as Error).message).toBe(`neither TikTok nor Instagram is installed on ${phone.serial}`);
  });
});

/**
 * `match_accounts` (ours): which accounts are logged in on a phone, read from each installed app's own
 * account switcher (TikTok under either package, Instagram) and recorded: new ones added, ones seen on
 * another phone moved here, ones no longer listed marked logged out (never deleted). Safe to run again.
 */

import { PLATFORMS } from "../../domain.ts";
import type { ScriptContext } from "../context.ts";
import { ScriptError } from "../errors.ts";
import { closeSwitcher, readAccountInUse, readSwitcher } from "../screen/accounts.ts";
import { APP_LABEL } from "../screen/app.ts";
import { loadSelectors } from "../selectors/index.ts";
import type { MatchConfig } from "./config.ts";

export async function matchFlow(ctx: ScriptContext<MatchConfig>): Promise<void> {
  const { phone, signal } = ctx;
  const installed = new Set(await phone.listPackages({ signal }));
  const apps = PLATFORMS.flatMap((app) =>
    loadSelectors(app, ctx.dataDir)
      .packages.filter((pkg) => installed.has(pkg))
      .map((pkg) => ({ app, pkg })),
  );
  if (apps.length === 0) {
    throw ScriptError.permanent(`neither TikTok nor Instagram is installed on ${phone.serial}`);
  }
  let total = 0;
  for (const { app, pkg } of apps) {
    const session = await ctx.openApp(app, pkg);
    const { usernames, inUse } = await ctx.step(`read ${APP_LABEL[app]}'s accounts (${pkg})`, async () => {
      const inUse = await readAccountInUse(ctx, session, { restart: true });
      if (inUse === null) return { usernames: [], inUse: undefined };
      const rows = await readSwitcher(session);
      await closeSwitcher(ctx);
      const listed = rows.map((r) => r.username);
      return { usernames: listed.includes(inUse) ? listed : [inUse, ...listed], inUse };
    });
    const seen = await ctx.accounts.recordSeen({
      serial: phone.serial,
      platform: app,
      packagename: pkg,
      usernames,
      complete: true,
      inUse,
    });
    total += usernames.length;
    const parts = [
      `${APP_LABEL[app]} (${pkg}): ${usernames.length ? usernames.map((u) => `@${u}`).join(", ") : "no account logged in"}`,
      ...(seen.added.length ? [`new: ${seen.added.map((u) => `@${u}`).join(", ")}`] : []),
      ...seen.moved.map((m) => `@${m.username} moved here from ${m.from}`),
      ...(seen.loggedOut.length ? [`logged out: ${seen.loggedOut.map((u) => `@${u}`).join(", ")}`] : []),
    ];
    ctx.log(parts.join("; "));
  }
  ctx.log(`${total} account(s) logged in on ${phone.serial}`);
}

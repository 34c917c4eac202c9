/**
 * The one place a task's account is made sure of, before any script acts in an app (the runner calls it):
 * a task for an account (username and multi-account modes) switches to it through the app's switcher and
 * verifies it on screen; a task for a phone (device mode) reads which account is in use, so that every task
 * names the account it ran as. What the phone showed is recorded in the accounts table.
 */
import { type ScriptContext, ScriptError } from "../context.ts";
import { openAppSession } from "../ui/app.ts";
import { NotSignedIn, readAccountInUse, switchTo } from "./switcher.ts";

export interface AccountInUse {
  username: string;
  accountId: number;
}

export async function useTaskAccount(ctx: ScriptContext): Promise<AccountInUse> {
  const { serial } = ctx.phone;
  const { platform } = ctx.task;
  const session = await openAppSession(ctx);
  const record = (username: string): AccountInUse => {
    const seen = ctx.accounts.recordSeen({
      serial,
      platform,
      packagename: session.pkg,
      usernames: [username],
      complete: false,
    });
    return { username, accountId: seen.ids[username] as number };
  };

  const wanted = ctx.task.username?.replace(/^@/, "");
  if (wanted) {
    try {
      const { from } = await ctx.step(`switch to @${wanted}`, () => switchTo(ctx, session, wanted));
      ctx.log(from ? `switched from @${from} to @${wanted}` : `@${wanted} already in use`);
    } catch (e) {
      if (e instanceof NotSignedIn) ctx.accounts.markLoggedOut(serial, platform, wanted);
      throw e;
    }
    return record(wanted);
  }
  const inUse = await ctx.step("read the account in use", () =>
    readAccountInUse(ctx, session, { restart: true }),
  );
  if (!inUse) {
    throw ScriptError.permanent(
      `no ${session.label} account is logged in on ${serial}: log one in on the phone, then run match_accounts`,
    );
  }
  ctx.log(`@${inUse} in use`);
  return record(inUse);
}

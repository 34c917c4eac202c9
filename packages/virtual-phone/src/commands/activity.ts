/** `am` and `monkey`: intents that start activities and broadcasts. */
import type { Intent } from "../apps/app.ts";
import { ADB_KEYBOARD_IME, ADB_KEYBOARD_PKG, describeIntent } from "../device.ts";
import { type DeviceCommand, err, out } from "./command.ts";

function parseIntent(args: string[], startAt = 0): { intent: Intent; flags: Set<string>; error?: string } {
  const intent: Intent = { categories: [], extras: {}, streams: [] };
  const flags = new Set<string>();
  let i = startAt;
  const next = () => args[++i] ?? "";
  for (; i < args.length; i++) {
    const a = args[i] as string;
    switch (a) {
      case "-a":
        intent.action = next();
        break;
      case "-d":
        intent.data = next();
        break;
      case "-t":
        intent.type = next();
        break;
      case "-n":
        intent.component = next();
        break;
      case "-p":
        intent.pkg = next();
        break;
      case "-c":
        intent.categories.push(next());
        break;
      case "-f":
      case "--user":
      case "-R":
      case "-P":
      case "--start-profiler":
      case "--sampling":
      case "--display":
      case "--windowingMode":
      case "--activityType":
      case "--task":
        next();
        break;
      case "-e":
      case "--es":
      case "--ei":
      case "--el":
      case "--ef":
      case "--ez":
      case "--eu":
      case "--esa":
      case "--eia":
      case "--ela":
      case "--efa":
      case "--ecn":
      case "--esal":
      case "--eua":
      case "--eual":
      case "--eial": {
        const k = next();
        const v = next();
        intent.extras[k] = v;
        if (k === "android.intent.extra.STREAM") {
          const list = a === "--esa" || a === "--esal" || a === "--eua" || a === "--eual";
          intent.streams.push(...(list ? v.split(",") : [v]));
        }
        break;
      }
      case "--esn":
        intent.extras[next()] = "";
        break;
      default:
        if (a.startsWith("-")) {
          flags.add(a);
        } else {
          // Trailing argument: a URI, a component or a package.
          if (a.includes(":")) intent.data = a;
          else if (a.includes("/")) intent.component = a;
          else intent.pkg = a;
        }
    }
  }
  return { intent, flags };
}

/** Commands that send intents. */
export const activityCommands: Record<string, DeviceCommand> = {
  am: async (ctx, dev) => {
    const [sub, ...rest] = ctx.args;
    switch (sub) {
      case "start":
      case "start-activity": {
        const { intent, flags } = parseIntent(rest);
        await out(ctx, `Starting: ${describeIntent(intent).replace(" flg=0x10000000", "")}\n`);
        if (flags.has("-S") && intent.component) dev.forceStop(intent.component.split("/")[0] as string);
        const wasFront = dev.foreground;
        const target = intent.component?.split("/")[0] ?? intent.pkg;
        const alreadyRunning = !!(target && dev.app(target)?.running);
        const isShare = intent.action?.startsWith("android.intent.action.SEND") ?? false;
        const res = dev.startActivity(intent);
        if (!res.ok) {
          await err(ctx, `${res.error}\n`);
          return 1;
        }
        if (alreadyRunning && !isShare && !intent.data) {
          await out(
            ctx,
            wasFront?.pkg === target
              ? "Warning: Activity not started, intent has been delivered to currently running top-most instance.\n"
              : "Warning: Activity not started, its current task has been brought to the front\n",
          );
        }
        if (flags.has("-W")) {
          await out(
            ctx,
            `Status: ok\nLaunchState: ${alreadyRunning ? "HOT" : "COLD"}\nActivity: ${res.component}\nTotalTime: 412\nWaitTime: 418\nComplete\n`,
          );
        }
        return 0;
      }
      case "instrument":
        return dev.uia2.instrument(ctx, rest);
      case "force-stop":
      case "kill": {
        const pkg = rest.find((r) => !r.startsWith("-") && !/^\d+$/.test(r));
        if (pkg) dev.forceStop(pkg);
        return 0;
      }
      case "kill-all":
        return 0;
      case "broadcast": {
        const { intent } = parseIntent(rest);
        await out(ctx, `Broadcasting: ${describeIntent(intent).replace("flg=0x10000000", "flg=0x400000")}\n`);
        const adbKb = dev.ime === ADB_KEYBOARD_IME && dev.packages.has(ADB_KEYBOARD_PKG);
        switch (intent.action) {
          case "ADB_INPUT_B64":
            if (adbKb) dev.typeText(Buffer.from(intent.extras.msg ?? "", "base64").toString("utf8"));
            break;
          case "ADB_INPUT_TEXT":
            if (adbKb) dev.typeText(intent.extras.msg ?? "");
            break;
          case "ADB_INPUT_CHARS":
            if (adbKb) {
              const codes = (intent.extras.chars ?? "").split(",").map((c) => Number(c));
              dev.typeText(String.fromCodePoint(...codes.filter((c) => Number.isFinite(c))));
            }
            break;
          case "ADB_CLEAR_TEXT":
            if (adbKb) dev.clearText();
            break;
          case "ADB_INPUT_CODE": {
            const code = Number(intent.extras.code);
            if (adbKb && Number.isFinite(code)) dev.key(code);
            break;
          }
          case "android.intent.action.MEDIA_SCANNER_SCAN_FILE":
            if (intent.data?.startsWith("file://")) dev.media.scan(decodeURIComponent(intent.data.slice(7)));
            break;
        }
        await out(ctx, "Broadcast completed: result=0\n");
        return 0;
      }
      case "get-current-user":
        await out(ctx, "0\n");
        return 0;
      default:
        await err(ctx, `Error: Unknown command: ${sub ?? ""}\n`);
        return 255;
    }
  },
  monkey: async (ctx, dev) => {
    const lines = ctx.args.map((a) => `  bash arg: ${a}`);
    await out(ctx, `${lines.join("\n")}\n`);
    const p = ctx.args.indexOf("-p");
    const pkg = p >= 0 ? ctx.args[p + 1] : undefined;
    if (!pkg || !dev.hasLauncherActivity(pkg)) {
      await out(ctx, "** No activities found to run, monkey aborted.\n");
      return 251;
    }
    dev.startActivity({
      action: "android.intent.action.MAIN",
      categories: ["android.intent.category.LAUNCHER"],
      pkg,
      extras: {},
      streams: [],
    });
    await out(
      ctx,
      "Events injected: 1\n## Network stats: elapsed time=27ms (0ms mobile, 0ms wifi, 27ms not connected)\n",
    );
    return 0;
  },
};

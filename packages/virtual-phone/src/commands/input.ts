/** `input`: taps, swipes, key events and typed text. */
import { KEYCODES } from "../device.ts";
import { type DeviceCommand, err, sleepAbortable } from "./command.ts";

function keycodeOf(s: string): number | null {
  if (/^\d+$/.test(s)) return Number(s);
  const name = s.toUpperCase().replace(/^KEYCODE_/, "");
  return KEYCODES[name] ?? null;
}

function decodeInputText(s: string): string {
  return s.replace(/%s/g, " ");
}

export const input: DeviceCommand = async (ctx, dev) => {
  let args = [...ctx.args];
  const sources = [
    "touchscreen",
    "touchpad",
    "keyboard",
    "mouse",
    "dpad",
    "gamepad",
    "joystick",
    "stylus",
    "trackball",
    "touchnavigation",
    "rotaryencoder",
  ];
  if (args[0] && sources.includes(args[0])) args = args.slice(1);
  if (args[0] === "-d") args = args.slice(2);
  const [sub, ...rest] = args;
  const num = (s: string | undefined) => Number.parseFloat(s ?? "");
  const usage = async () => {
    await err(
      ctx,
      `Error: Invalid arguments for command: ${sub ?? ""}\nUsage: input [<source>] [-d DISPLAY_ID] <command> [<arg>...]\n`,
    );
    return 1;
  };
  switch (sub) {
    case "tap": {
      const x = num(rest[0]);
      const y = num(rest[1]);
      if (Number.isNaN(x) || Number.isNaN(y)) return usage();
      dev.tap(x, y);
      return 0;
    }
    case "swipe":
    case "draganddrop": {
      const [x1, y1, x2, y2] = rest.slice(0, 4).map(num) as [number, number, number, number];
      if ([x1, y1, x2, y2].some((v) => v === undefined || Number.isNaN(v))) return usage();
      const ms = rest[4] ? num(rest[4]) : 300;
      dev.swipe(x1, y1, x2, y2, ms);
      if (ms > 0) await sleepAbortable(dev, Math.min(ms, 2000), ctx.signal);
      return 0;
    }
    case "keyevent":
    case "press": {
      const codes = sub === "press" ? ["23"] : rest.filter((r) => !r.startsWith("--"));
      if (codes.length === 0) return usage();
      for (const c of codes) {
        const code = keycodeOf(c);
        if (code === null) {
          await err(ctx, `Error: Unknown keycode: ${c}\n`);
          return 1;
        }
        dev.key(code);
      }
      return 0;
    }
    case "text": {
      const raw = rest[0];
      if (raw === undefined) return usage();
      const text = decodeInputText(raw);
      if ([...text].some((ch) => (ch.codePointAt(0) ?? 0) > 0x7f)) {
        await err(
          ctx,
          "Exception occurred while executing 'text':\njava.lang.NullPointerException: Attempt to get length of null array\n" +
            "\tat com.android.server.input.InputShellCommand.sendText(InputShellCommand.java:250)\n",
        );
        return 255;
      }
      dev.typeText(text);
      return 0;
    }
    case "roll":
    case "motionevent":
    case "scroll":
      return 0;
    default:
      return usage();
  }
};

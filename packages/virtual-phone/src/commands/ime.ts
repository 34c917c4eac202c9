/** `ime`: input methods, enabled and selected (ADBKeyBoard types only while selected). */
import { ADB_KEYBOARD_IME, ADB_KEYBOARD_PKG, type Device, LATIN_IME } from "../device.ts";
import { type DeviceCommand, err, out } from "./command.ts";

export function installedImes(dev: Device): string[] {
  return [LATIN_IME, ...(dev.packages.has(ADB_KEYBOARD_PKG) ? [ADB_KEYBOARD_IME] : [])];
}

function setIme(dev: Device, id: string): void {
  dev.ime = id;
  dev.settings.secure = { ...dev.settings.secure, default_input_method: id };
}

function syncEnabledSetting(dev: Device): void {
  (dev.settings.secure as Record<string, string>).enabled_input_methods = [...dev.imeEnabled].join(":");
}

export const ime: DeviceCommand = async (ctx, dev) => {
  const [sub, ...rest] = ctx.args;
  const id = rest.find((r) => !r.startsWith("-"));
  const installed = installedImes(dev);
  switch (sub) {
    case "list": {
      const list = rest.includes("-a") ? installed : installed.filter((i) => dev.imeEnabled.has(i));
      if (rest.includes("-s")) await out(ctx, `${list.join("\n")}\n`);
      else await out(ctx, list.map((i) => `${i}:\n  mId=${i} mSettingsActivity=null\n`).join(""));
      return 0;
    }
    case "enable":
      if (!id || !installed.includes(id)) {
        await err(ctx, `Unknown input method ${id ?? ""} cannot be enabled for user #0\n`);
        return 0;
      }
      await out(
        ctx,
        `Input method ${id}: ${dev.imeEnabled.has(id) ? "already enabled" : "now enabled"} for user #0\n`,
      );
      dev.imeEnabled.add(id);
      syncEnabledSetting(dev);
      return 0;
    case "disable":
      if (id && dev.imeEnabled.delete(id)) {
        await out(ctx, `Input method ${id}: now disabled for user #0\n`);
        if (dev.ime === id) setIme(dev, LATIN_IME);
      } else await out(ctx, `Input method ${id ?? ""}: already disabled for user #0\n`);
      syncEnabledSetting(dev);
      return 0;
    case "set":
      if (!id || !installed.includes(id) || !dev.imeEnabled.has(id)) {
        await err(ctx, `Unknown input method ${id ?? ""} cannot be selected for user #0\n`);
        return 0;
      }
      setIme(dev, id);
      await out(ctx, `Input method ${id} selected for user #0\n`);
      return 0;
    case "reset":
      dev.imeEnabled.clear();
      dev.imeEnabled.add(LATIN_IME);
      setIme(dev, LATIN_IME);
      syncEnabledSetting(dev);
      await out(
        ctx,
        `Reset current and enabled IMEs for user #0\n  Selected: ${LATIN_IME}\n   Enabled: ${LATIN_IME}\n`,
      );
      return 0;
    default:
      await err(ctx, `Unknown command: ${sub ?? ""}\n`);
      return 255;
  }
};

/** `dumpsys`: battery, window, activity, power, input_method and package state. */

import { apkPath, VERSIONS } from "./apk.ts";
import { type DeviceCommand, err, out } from "./command.ts";

export const dumpsys: DeviceCommand = async (ctx, dev) => {
  const [svc, ...rest] = ctx.args;
  switch (svc) {
    case "battery":
      await out(
        ctx,
        "Current Battery Service state:\n  AC powered: false\n  USB powered: true\n  Wireless powered: false\n  Dock powered: false\n" +
          "  Max charging current: 500000\n  Max charging voltage: 5000000\n  Charge counter: 2805000\n  status: 2\n" +
          `  health: 2\n  present: true\n  level: ${dev.cfg.battery}\n  scale: 100\n  voltage: 4215\n  temperature: 285\n  technology: Li-ion\n`,
      );
      return 0;
    case "window": {
      const comp = dev.focusedComponent();
      const focusPkg = dev.focusedPackage();
      const focus = focusPkg.endsWith(".permissioncontroller")
        ? `${focusPkg}/com.android.permissioncontroller.permission.ui.GrantPermissionsActivity`
        : comp;
      await out(
        ctx,
        `WINDOW MANAGER WINDOWS (dumpsys window windows)\n  mCurrentFocus=Window{8c1f2e3 u0 ${focus}}\n  mFocusedApp=ActivityRecord{5a1b2c3 u0 ${comp} t42}\n` +
          `  mScreenOn=${dev.screenOn}\n  init=${dev.cfg.screen.width}x${dev.cfg.screen.height} ${dev.density}dpi cur=${dev.cfg.screen.width}x${dev.cfg.screen.height}\n`,
      );
      return 0;
    }
    case "activity": {
      const comp = dev.focusedComponent();
      await out(
        ctx,
        `ACTIVITY MANAGER ACTIVITIES (dumpsys activity activities)\nDisplay #0 (activities from top to bottom):\n  * Task{9e8d7c6 #42 type=standard A=10181:${comp.split("/")[0]}}\n` +
          `    mResumedActivity: ActivityRecord{5a1b2c3 u0 ${comp} t42}\n  ResumedActivity: ActivityRecord{5a1b2c3 u0 ${comp} t42}\n` +
          `  topResumedActivity=ActivityRecord{5a1b2c3 u0 ${comp} t42}\n`,
      );
      return 0;
    }
    case "power":
      await out(
        ctx,
        `POWER MANAGER (dumpsys power)\n  mWakefulness=${dev.screenOn ? "Awake" : "Asleep"}\n  mHoldingDisplaySuspendBlocker=${dev.screenOn}\n  Display Power: state=${dev.screenOn ? "ON" : "OFF"}\n`,
      );
      return 0;
    case "input_method":
      await out(ctx, `  mCurMethodId=${dev.ime}\n  mInputShown=${dev.keyboardShown()}\n`);
      return 0;
    case "package": {
      const pkg = rest.find((r) => !r.startsWith("-"));
      if (!pkg || !dev.packages.has(pkg)) {
        await out(ctx, pkg ? `Unable to find package: ${pkg}\n` : "");
        return 0;
      }
      const installed = dev.versions.get(pkg);
      const [apkName, vc] = VERSIONS[pkg] ?? [installed?.name ?? "14", installed?.code ?? 34];
      const vn = dev.app(pkg)?.version ?? apkName;
      await out(
        ctx,
        `Packages:\n  Package [${pkg}] (4c1d2e3):\n    userId=10181\n    codePath=${apkPath(pkg).replace(/\/base\.apk$/, "")}\n` +
          `    versionCode=${vc} minSdk=24 targetSdk=34\n    versionName=${vn}\n    firstInstallTime=2025-01-01 10:00:00\n`,
      );
      return 0;
    }
    case undefined:
      await out(
        ctx,
        "Currently running services:\n  activity\n  battery\n  input_method\n  package\n  power\n  window\n",
      );
      return 0;
    default:
      await err(ctx, `Can't find service: ${svc}\n`);
      return 0;
  }
};

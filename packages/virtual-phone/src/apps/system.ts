/** The system's own windows: the launcher, the share chooser, and any installed app not simulated in detail. */
import { type AppEnv, SimApp } from "./app.ts";
import type { NodeSpec } from "./ui.ts";

export interface InstalledApp {
  pkg: string;
  label: string;
}

/** The home screen: a grid of app icons (tap: `launch:PKG`). */
export function launcherScreen(apps: InstalledApp[]): NodeSpec {
  const icons: NodeSpec[] = apps.map(({ pkg: p, label }, i) => {
    const x = 40 + (i % 4) * 250;
    const y = 1500 + Math.floor(i / 4) * 300;
    return {
      c: "TextView",
      text: label,
      desc: label,
      b: [x, y, x + 250, y + 280],
      tap: `launch:${p}`,
    };
  });
  return {
    c: "FrameLayout",
    b: [0, 0, 1080, 2400],
    children: [
      {
        c: "FrameLayout",
        id: "launcher",
        b: [0, 0, 1080, 2400],
        children: [
          { c: "TextView", id: "clock", text: "12:00", b: [60, 200, 600, 400] },
          { c: "View", id: "workspace", b: [0, 0, 1080, 2200], scrollable: true, children: icons },
          {
            c: "FrameLayout",
            id: "search_container_hotseat",
            desc: "Search",
            b: [60, 2150, 1020, 2280],
            tap: "noop",
          },
        ],
      },
    ],
  };
}

/** A share target the chooser offers: an app, or one of its share activities. */
export interface ShareTarget {
  label: string;
  pkg: string;
  activity?: string;
}

/** The share sheet of a SEND intent that names no activity (tap: `share:INDEX` of `targets`). */
export function chooserScreen(targets: ShareTarget[], title: string): NodeSpec {
  return {
    c: "FrameLayout",
    b: [0, 0, 1080, 2400],
    clickable: true,
    children: [
      {
        c: "LinearLayout",
        id: "android:id/contentPanel",
        b: [0, 1200, 1080, 2400],
        children: [
          { c: "TextView", id: "android:id/title", text: title, b: [60, 1240, 1020, 1320] },
          ...targets.map(({ label }, i): NodeSpec => {
            const [x, y] = [60 + (i % 4) * 240, 1400 + Math.floor(i / 4) * 280];
            return {
              c: "LinearLayout",
              id: "android:id/text1",
              text: label,
              desc: label,
              b: [x, y, x + 220, y + 260],
              tap: `share:${i}`,
            };
          }),
        ],
      },
    ],
  };
}

/** Any installed app that is not simulated in detail: a plain window with its name. */
export class GenericApp extends SimApp {
  readonly ref = { width: 1080, height: 2400 };
  readonly mainActivity: string;
  constructor(
    env: AppEnv,
    readonly pkg: string,
    readonly label: string,
  ) {
    super(env);
    this.mainActivity = `${pkg}.MainActivity`;
  }
  launch(): string | null {
    if (!this.running) this.go("main");
    return null;
  }
  protected readonly taps = {};
  protected readonly parents = {};
  protected screenNodes(): NodeSpec[] {
    return [{ c: "TextView", id: "title", text: this.label, b: [100, 200, 980, 300] }];
  }
}

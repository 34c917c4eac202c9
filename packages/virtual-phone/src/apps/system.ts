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

/** The share sheet of a SEND intent sent to no app in particular (tap: `share:PKG`). */
export function chooserScreen(targets: InstalledApp[]): NodeSpec {
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
          { c: "TextView", id: "android:id/title", text: "Share", b: [60, 1240, 1020, 1320] },
          ...targets.map(
            ({ pkg: p, label }, i): NodeSpec => ({
              c: "LinearLayout",
              id: "android:id/text1",
              text: label,
              desc: label,
              b: [60 + i * 240, 1400, 280 + i * 240, 1660],
              tap: `share:${p}`,
            }),
          ),
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

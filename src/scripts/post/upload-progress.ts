// The upload's percentage as the app shows it ("45%" beside "Posting...", TikTok's ring), told as the task's
// progress while the post waits for the upload's end.
import type { ScriptContext } from "../context.ts";
import type { Screen, Selector } from "../screen/index.ts";

/** A percentage in a node's text: "45%", "Posting 45 %". */
const PERCENT = /(\d{1,3})\s*%/;

/** The percentage the `progress` nodes on `screen` show (0–100), or undefined when none shows one. */
export function percentOn(screen: Screen, progress: Selector): number | undefined {
  for (const node of screen.findAll(progress)) {
    const percent = PERCENT.exec(node.text)?.[1];
    if (percent !== undefined) return Math.min(100, Number(percent));
  }
  return undefined;
}

/** For a wait's `onScreen`: a screen whose `progress` nodes show a percentage tells it. */
export function uploadProgress(ctx: Pick<ScriptContext, "progress">, progress: Selector) {
  return (screen: Screen) => {
    const percent = percentOn(screen, progress);
    if (percent !== undefined) ctx.progress(percent / 100, `upload ${percent}%`);
  };
}

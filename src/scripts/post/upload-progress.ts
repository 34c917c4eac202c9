// The upload's percentage as the app shows it ("45%" beside "Posting...", TikTok's ring), told as the task's
// progress while the post waits for the upload's end.
import type { ScriptContext } from "../context.ts";
import type { Screen, Selector } from "../screen/index.ts";

/** A percentage in a node's text: "45%", "Posting 45 %". */
const PERCENT = /(\d{1,3})\s*%/;

/** For a wait's `onScreen`: a screen whose `progress` nodes show a percentage tells it. */
export function uploadProgress(ctx: Pick<ScriptContext, "progress">, progress: Selector) {
  return (screen: Screen) => {
    for (const node of screen.findAll(progress)) {
      const percent = PERCENT.exec(node.text)?.[1];
      if (percent === undefined) continue;
      ctx.progress(Math.min(100, Number(percent)) / 100, `upload ${percent}%`);
      return;
    }
  };
}

// One task: its fields, progress or what it waits for, its step log, a post's proof and the screen at a failure.
import { api, image } from "../api.ts";
import { badge, coalesce, errorText, h } from "../dom.ts";
import { onEvent } from "../events.ts";
import { clockTime, seconds, serialText, when } from "../format.ts";
import { progressView, waitingNote } from "../progress.ts";
import { taskActions } from "./tasks.ts";

export function taskPage(root: HTMLElement, { arg }: { arg?: string }) {
  const id = Number(arg);
  const panel = h("div");
  root.append(h("p", {}, h("a", { href: "#/tasks" }, "← Tasks")), h("h2", {}, `Task #${id}`), panel);

  async function load() {
    try {
      const t = await api("get", "/task/{task_id}", { path: { task_id: id } });
      const started = t.started_at ? Date.parse(t.started_at) : null;
      const ended = t.finished_at ? Date.parse(t.finished_at) : null;
      const shot = h("div", { class: "shot" });
      const fields: [string, ...(Node | string | null)[]][] = [
        ["Status", badge(t.status_text), waitingNote(t), progressView(t)],
        ["Phone", serialText(t.serial)],
        ["Account", t.username ?? "—"],
        ["Platform", t.platform],
        ["Script", t.script_name],
        ["Source", t.source],
        ["Created", when(t.created_at)],
        ["Scheduled", when(t.scheduled_at)],
        ["Started", when(t.started_at)],
        ["Finished", when(t.finished_at)],
        ["Duration", started && ended ? seconds(ended - started) : "—"],
        ["Retries", String(t.retry_count)],
        ["Error", t.error ? `${t.error} (${t.error_class})` : "—"],
      ];
      // a post once Post was tapped: whether it was seen on the account, and how
      const post = t.result;
      if (post) fields.push(["Post", badge(post.outcome), ` ${post.message}`]);
      const proof = h("div", { class: "shot" });
      panel.replaceChildren(
        h("div", { class: "toolbar" }, taskActions(t, load, false)),
        h(
          "div",
          { class: "detail" },
          h(
            "section",
            { class: "panel", "aria-label": "Task" },
            h(
              "dl",
              { class: "kv" },
              fields.flatMap(([k, ...v]) => [h("dt", {}, k), h("dd", {}, v)]),
            ),
            h("h3", {}, "script_config"),
            h("pre", {}, JSON.stringify(t.script_config, null, 2)),
          ),
          h(
            "section",
            { class: "panel", "aria-label": "Step log" },
            h("h3", {}, "Steps"),
            h(
              "table",
              { class: "log" },
              h("thead", {}, h("tr", {}, h("th", {}, "Time"), h("th", {}, "Step"), h("th", {}, "Took"))),
              h(
                "tbody",
                {},
                t.logs.map((l) =>
                  h(
                    "tr",
                    { class: `lvl-${l.level}` },
                    h("td", {}, clockTime(l.at)),
                    h("td", {}, l.message),
                    h("td", {}, seconds(l.duration_ms)),
                  ),
                ),
              ),
            ),
            post?.proof?.screenshot && [h("h3", {}, "Seen on the account"), proof],
            t.has_screenshot && [h("h3", {}, "Screen at the failure"), shot],
          ),
        ),
      );
      if (post?.proof?.screenshot) {
        showPicture(
          proof,
          image("/task/{task_id}/proof", { path: { task_id: id } }),
          `The post of task ${id} on the account`,
        );
      }
      // only a failure on a phone still online leaves a screenshot (not a stop, not a pending task)
      if (t.has_screenshot) {
        showPicture(
          shot,
          image("/task/{task_id}/screenshot", { path: { task_id: id } }),
          `Screen when task ${id} failed`,
        );
      }
    } catch (e) {
      panel.replaceChildren(h("p", { class: "notice", role: "alert" }, errorText(e)));
    }
  }
  const later = coalesce(load, 500);
  const off = onEvent((e) => e.type === "task" && e.id === id && later());
  void load();
  return off;
}

/** Puts the picture `src` will give in `into`, or why it could not be had. */
function showPicture(into: HTMLElement, src: Promise<string>, alt: string): void {
  src
    .then((url) => into.replaceChildren(h("img", { src: url, alt })))
    .catch((e: unknown) => into.replaceChildren(h("p", { class: "muted" }, errorText(e))));
}

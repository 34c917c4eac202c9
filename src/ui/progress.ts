// How far a running task is: its elapsed time, and a bar when the service can estimate the share done
// (warmup: elapsed of its duration; post: its step, upload %).
import type { Task } from "./api.ts";
import { h } from "./dom.ts";
import { elapsed, serviceTime } from "./format.ts";

export type Progress = NonNullable<Task["progress"]>;

/** The task's progress; a service before `progress` still gives the time since the task started. */
export const progressOf = (t: Task): Progress | null => {
  if (t.progress) return t.progress;
  if (t.status_text !== "running" || !t.started_at) return null;
  const now = Date.now() + serviceTime.skewMs;
  return { elapsed_s: (now - Date.parse(t.started_at)) / 1000, fraction: null, step: null, detail: null };
};

/** Elapsed time (ticking), the bar (when estimated) and the step, for a running task; null otherwise. */
export function progressView(t: Task): HTMLElement | null {
  const p = progressOf(t);
  if (!p) return null;
  const percent = p.fraction === null ? null : Math.round(p.fraction * 100);
  // the rest at the pace so far: a guess, said as one
  const left =
    p.fraction !== null && p.fraction > 0.02 && p.fraction < 1
      ? `about ${elapsed((p.elapsed_s * (1 - p.fraction)) / p.fraction)} left`
      : null;
  const words = [percent === null ? null : `${percent}%`, left, p.step, p.detail].filter(Boolean).join(" · ");
  const since = Date.now() - p.elapsed_s * 1000;
  return h(
    "div",
    { class: "progress" },
    percent !== null &&
      h("progress", { max: 100, value: percent, "aria-label": `Task ${t.id}: ${percent}% done` }),
    h("span", { class: "elapsed", dataset: { since: String(since) } }, elapsed(p.elapsed_s)),
    words && h("span", { class: "muted" }, ` · ${words}`),
  );
}

/** Every shown elapsed time counts on, once a second, between the service's updates. */
export function tickElapsed() {
  setInterval(() => {
    for (const el of document.querySelectorAll<HTMLElement>(".progress .elapsed"))
      el.textContent = elapsed((Date.now() - Number(el.dataset.since)) / 1000);
  }, 1000);
}

/** What a pending task waits for, under its status. */
export function waitingNote(t: { waiting_for?: { message: string } | null }) {
  return t.waiting_for ? h("div", { class: "muted waiting" }, t.waiting_for.message) : null;
}

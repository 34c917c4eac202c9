// Tasks: the list with the API's filters, live from the event stream; counts per status, throughput; stop,
// retry, delete, batch delete, retry all, run again.
import {
  ApiError,
  api,
  type CreateTask,
  type DataOf,
  FROM_UI,
  openapiDocument,
  scriptNames,
  type Task,
} from "../api.ts";
import { attempt, badge, coalesce, h, notice, options, select } from "../dom.ts";
import { onEvent, perMinute } from "../events.ts";
import { serialText, when } from "../format.ts";
import { list } from "../list.ts";
import { progressView, waitingNote } from "../progress.ts";

export const STATUS = ["pending", "running", "completed", "failed"] as const;

/** What "Retry all failed" did: how many went back in the queue, and why the others stayed failed. */
function retriedAllText(r: DataOf<"/task/retry-all", "post">) {
  const why = (
    [
      [r.skipped.post_tapped, "failed after Post was tapped (may be published already)"],
      [r.skipped.stopped_by_user, "stopped by the user"],
      [r.skipped.permanent, "failed for good"],
    ] as const
  )
    .filter(([n]) => n > 0)
    .map(([n, text]) => `${n} ${text}`);
  const left = why.length ? `; left failed: ${why.join(", ")} (retry those one by one)` : "";
  return `${r.retried_count} failed tasks queued again${left}`;
}

/** Retries one failed task; one that may be published already only once the user confirms. */
export async function retryTask(id: number) {
  const path = { task_id: id };
  try {
    await api("post", "/task/{task_id}/retry", { path });
  } catch (e) {
    if (!(e instanceof ApiError) || e.data?.reason !== "post_tapped") throw e;
    if (
      confirm(
        `Task ${id} failed after ${e.data.irreversible}: it may already be published. Run it again anyway?`,
      )
    )
      await api("post", "/task/{task_id}/retry", { path, body: { confirm_repost: true } });
  }
}

/** The API shows secrets (a ChatGPT api_key) masked: such a config cannot be replayed as it is. */
function hasMaskedSecret(value: unknown): boolean {
  if (value === null || typeof value !== "object") return false;
  return Object.entries(value).some(([k, v]) =>
    k === "api_key" && typeof v === "string" ? v !== "" : hasMaskedSecret(v),
  );
}

/** The same script and config on the same phone, or account when the task had one. */
export async function runAgain(t: Task) {
  if (hasMaskedSecret(t.script_config)) {
    throw new Error(
      `task ${t.id}'s api_key is shown masked and cannot be sent again: start it from New task with the key`,
    );
  }
  const target = t.username ? { usernames: [t.username] } : { serials: [t.serial] };
  const body = {
    ...target,
    platform: t.platform,
    script_name: t.script_name,
    script_config: t.script_config,
  };
  // the task's own config was accepted for its script: the body is one of the per-script bodies
  const r = await api("post", "/task", { body: body as CreateTask, headers: FROM_UI });
  notice(`task ${r.task_ids.join(", ")} created`, "info");
}

/** The Tasks page's filter, kept while the page is left (New task clears it after creating). */
export const taskFilter = { status: "", serial: "", script_name: "", source: "", page: 1, page_size: 20 };

/** The buttons a task's state allows. */
export function taskActions(t: Task, after: () => unknown, withDelete: boolean) {
  const act = (label: string, fn: () => Promise<unknown>, cls?: string) =>
    h(
      "button",
      {
        type: "button",
        class: cls,
        onclick: attempt(async () => {
          await fn();
          await after();
        }),
      },
      label,
    );
  const path = { task_id: t.id };
  return [
    t.status <= 1 && act("Stop", () => api("post", "/task/{task_id}/stop", { path })),
    t.status === 3 && act("Retry", () => retryTask(t.id)),
    t.status >= 2 && act("Run again", () => runAgain(t)),
    withDelete &&
      act(
        "Delete",
        async () => {
          if (confirm(`Delete task ${t.id}?`)) await api("delete", "/task/{task_id}", { path });
        },
        "danger",
      ),
  ];
}

export function tasksPage(root: HTMLElement) {
  const counts = h("div", { class: "counts", role: "group", "aria-label": "Tasks by status" });
  const throughput = h("span", { class: "muted", id: "throughput" });
  const picked = new Set<number>();
  const shown = new Map<number, Task>(); // id → the task as listed, to redraw its row when an event changes it
  const deleteSelected = h("button", { type: "button", class: "danger", disabled: true }, "Delete selected");
  const allBox = h("input", { type: "checkbox", "aria-label": "Select every task on this page" });

  const syncPicked = () => {
    deleteSelected.disabled = picked.size === 0;
    deleteSelected.textContent = `Delete selected (${picked.size})`;
  };

  function row(t: Task) {
    const box = h("input", {
      type: "checkbox",
      "aria-label": `Select task ${t.id}`,
      checked: picked.has(t.id),
      dataset: { id: String(t.id) },
      onchange: (e: Event) => {
        if ((e.target as HTMLInputElement).checked) picked.add(t.id);
        else picked.delete(t.id);
        syncPicked();
      },
    });
    return h(
      "tr",
      { dataset: { id: String(t.id), status: t.status_text } },
      h("td", { class: "pick" }, box),
      h("td", { class: "id" }, h("a", { href: `#/tasks/${t.id}` }, `#${t.id}`)),
      h("td", {}, serialText(t.serial)),
      h("td", { class: "opt" }, t.username ?? "—"),
      h("td", {}, t.script_name),
      h("td", { class: "status" }, badge(t.status_text), waitingNote(t), progressView(t)),
      h("td", { class: "opt" }, t.source),
      h("td", { class: "opt" }, when(t.created_at)),
      h("td", { class: "opt err" }, t.error ?? ""),
      h(
        "td",
        { class: "actions" },
        taskActions(t, () => tasks.load(), true),
      ),
    );
  }

  const tasks = list({
    prefix: "f",
    filter: taskFilter,
    columns: [
      { title: allBox, label: "" },
      { title: "ID", label: "" },
      { title: "Phone" },
      { title: "Account", class: "opt" },
      { title: "Script" },
      { title: "Status" },
      { title: "Source", class: "opt" },
      { title: "Created", class: "opt" },
      { title: "Error", class: "opt" },
      { title: "Actions", label: "" },
    ],
    fetch: async (f) => {
      const [r, stats] = await Promise.all([api("get", "/task", { query: f }), api("get", "/task/stats")]);
      showCounts(stats);
      shown.clear();
      for (const t of r.tasks) shown.set(t.id, t);
      return { ...r, rows: r.tasks };
    },
    row,
    empty: "No task.",
    loaded: () => {
      allBox.checked = false;
      syncPicked();
    },
  });

  const { addFilter } = tasks;
  const statusSelect = select([["", "any"], ...STATUS.map((s, i) => [String(i), s] as const)]);
  addFilter("status", "Status", statusSelect);
  addFilter("serial", "Phone", h("input", { type: "text", placeholder: "serial", size: 18 }));
  const scriptSelect = select([["", "any"]]);
  addFilter("script_name", "Script", scriptSelect);
  addFilter(
    "source",
    "Source",
    select([
      ["", "any"],
      ["ui", "ui"],
      ["api", "api"],
    ]),
  );
  addFilter("page_size", "Per page", select(["10", "20", "50", "100"].map((n) => [n, n] as const)));
  openapiDocument()
    .then((doc) => {
      scriptSelect.append(...options(scriptNames(doc).map((n) => [n, n] as const)));
      scriptSelect.value = taskFilter.script_name;
    })
    .catch(() => {});

  function showCounts(stats: DataOf<"/task/stats", "get">) {
    const all = [
      ["", "all", stats.total] as const,
      ...STATUS.map((s, i) => [String(i), s, stats[s]] as const),
    ];
    counts.replaceChildren(
      h("span", { class: "muted" }, "Show:"),
      ...all.map(([v, name, n]) =>
        h(
          "button",
          {
            type: "button",
            "aria-pressed": String(taskFilter.status === v),
            class: `count-${name}`,
            onclick: () => {
              taskFilter.status = v;
              taskFilter.page = 1;
              statusSelect.value = v;
              void tasks.load();
            },
          },
          `${name} ${n}`,
        ),
      ),
    );
  }

  allBox.addEventListener("change", () => {
    for (const box of tasks.body.querySelectorAll<HTMLInputElement>("input[type=checkbox]")) {
      box.checked = allBox.checked;
      const id = Number(box.dataset.id);
      if (allBox.checked) picked.add(id);
      else picked.delete(id);
    }
    syncPicked();
  });
  deleteSelected.addEventListener(
    "click",
    attempt(async () => {
      if (!confirm(`Delete ${picked.size} tasks? Running ones are stopped first.`)) return;
      const r = await api("delete", "/task/batch", { body: { task_ids: [...picked] } });
      notice(`${r.deleted_count} tasks deleted`, "info");
      picked.clear();
      await tasks.load();
    }),
  );
  const retryAll = attempt(async () => {
    notice(retriedAllText(await api("post", "/task/retry-all")), "info");
    await tasks.load();
  });

  root.append(
    h("h2", {}, "Tasks"),
    counts,
    tasks.filters,
    h(
      "div",
      { class: "toolbar" },
      deleteSelected,
      h("button", { type: "button", onclick: retryAll }, "Retry all failed"),
      h("a", { class: "button primary", href: "#/new" }, "New task"),
      h("span", { class: "spacer" }),
      throughput,
    ),
    tasks.el,
    tasks.pager,
  );

  const later = coalesce(tasks.load, 1000);
  const off = onEvent((e) => {
    if (e.type !== "task" || e.id === undefined) return;
    // the row changes at once; the list and counts follow (new tasks, order, filters)
    const tr = tasks.body.querySelector<HTMLTableRowElement>(`tr[data-id="${e.id}"]`);
    const t = shown.get(e.id);
    if (tr && t && e.status && e.status !== "deleted") {
      const status = STATUS.indexOf(e.status as (typeof STATUS)[number]);
      const changed: Task = {
        ...t,
        status,
        status_text: e.status as Task["status_text"],
        error: e.error ?? null,
        waiting_for: e.waiting_for ?? null,
        progress: e.progress ?? null,
      };
      tr.replaceWith(tasks.label(row(changed)));
    }
    later();
  });
  const tick = () => {
    throughput.textContent = `${perMinute()} finished in the last minute`;
  };
  tick();
  const timer = setInterval(tick, 2000);
  void tasks.load();
  return () => {
    off();
    clearInterval(timer);
  };
}

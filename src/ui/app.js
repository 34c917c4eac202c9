// The operator's dashboard: one script, no framework, talking only to this service's own API
// (/api/v1, the OpenAPI document at /swagger/json and the event stream). Every view is built with DOM calls,
// never from HTML strings, so names and captions coming from phones cannot inject markup.

const TOKEN_KEY = "farm-token";
const THEME_KEY = "farm-theme";
const STATUS = ["pending", "running", "completed", "failed"];
const SCRIPT_SCHEMA_PREFIX = "ScriptConfig_";

// ---- small helpers ----------------------------------------------------------------------------------------

/** An element: h("button", { type: "button", onclick }, "text", child…). */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k in el && typeof v !== "string") el[k] = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

/** `<option>`s from [value, text] pairs. */
const options = (pairs) => pairs.map(([v, t]) => h("option", { value: v }, t));

/**
 * A filter toolbar bound to `filter`: each control added shows its field's value, and a change sets it,
 * goes back to page 1 and calls `reload`. Control ids are `${prefix}-${name}`.
 */
function filterBar(prefix, filter, reload) {
  const form = h("form", { class: "toolbar", "aria-label": "Filters", onsubmit: (e) => e.preventDefault() });
  const add = (name, label, control) => {
    control.id = `${prefix}-${name}`;
    control.name = name;
    control.value = filter[name];
    control.addEventListener("change", () => {
      filter[name] = control.value.trim();
      filter.page = 1;
      reload();
    });
    form.append(h("label", { for: control.id }, label), control);
  };
  return { form, add };
}

let uid = 0;
const nextId = (prefix) => `${prefix}-${++uid}`;

// ---- the service's clock: its time zone names every time shown (start_time is read in it too) -------------

/** The service's time zone and how far its clock is from this browser's (both from /health). */
const serviceTime = { zone: null, skewMs: 0 };

async function loadServiceTime() {
  try {
    const health = await (await fetch("/health")).json();
    serviceTime.zone = health.timezone ?? null;
    serviceTime.skewMs = health.time ? Date.parse(health.time) - Date.now() : 0;
  } catch {
    // an older service, or none: times stay in this browser's zone, which they still name
  }
  const clock = document.getElementById("clock");
  const tick = () => {
    const now = new Date(Date.now() + serviceTime.skewMs);
    const time = now.toLocaleTimeString(undefined, {
      timeZone: serviceTime.zone ?? undefined,
      hour: "2-digit",
      minute: "2-digit",
      // 24-hour, as start_time is written
      hourCycle: "h23",
    });
    clock.textContent = serviceTime.zone ? `${time} ${serviceTime.zone}` : time;
  };
  tick();
  setInterval(tick, 15_000);
}

/** A time as the service's zone reads it, with the zone's short name ("03/12/26, 12:26:00 CET"). */
function when(iso) {
  if (!iso) return "—";
  return new Date(iso).toLocaleString(undefined, {
    timeZone: serviceTime.zone ?? undefined,
    year: "2-digit",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    timeZoneName: "short",
  });
}

/** What a pending task waits for, under its status. */
function waitingNote(t) {
  return t.waiting_for && h("div", { class: "muted waiting" }, t.waiting_for.message);
}

function seconds(ms) {
  if (ms === null || ms === undefined) return "—";
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function size(bytes) {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function badge(text) {
  return h("span", { class: `badge s-${text}` }, text);
}

/** Calls fn once, ms after the first of a burst of calls: a steady stream of events still gets updates. */
function coalesce(fn, ms) {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    setTimeout(() => {
      pending = false;
      fn();
    }, ms);
  };
}

function notice(message, kind = "error") {
  const el = document.getElementById("notice");
  el.textContent = message;
  el.className = `notice ${kind === "info" ? "info" : ""}`;
  el.hidden = false;
  clearTimeout(notice.timer);
  notice.timer = setTimeout(() => (el.hidden = true), kind === "info" ? 4000 : 10000);
}

// ---- the API ------------------------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(envelope) {
    super(envelope.message);
    this.code = envelope.code;
    this.data = envelope.data;
  }
}

let token = sessionStorage.getItem(TOKEN_KEY);
const tokenRequired = document.documentElement.dataset.tokenRequired === "yes";
let asking;

/** Shows the token dialog once however many calls need it; resolves when the operator gave one. */
function askToken(why) {
  asking ??= new Promise((resolve) => {
    const dialog = document.getElementById("token-dialog");
    const form = document.getElementById("token-form");
    if (why) document.getElementById("token-why").textContent = why;
    form.addEventListener(
      "submit",
      () => {
        token = document.getElementById("token-input").value.trim();
        sessionStorage.setItem(TOKEN_KEY, token);
        asking = undefined;
        resolve();
        events.restart();
      },
      { once: true },
    );
    // every call waits for the token: Escape must not leave the page waiting with no way to give it
    dialog.addEventListener("cancel", (e) => e.preventDefault());
    dialog.showModal();
    document.getElementById("token-input").focus();
  });
  return asking;
}

function authHeaders() {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** Calls /api/v1: the envelope's data, or an ApiError; asks for the token when the service wants one. */
async function api(method, path, body, headers = {}) {
  if (tokenRequired && !token) await askToken();
  const init = { method, headers: { ...authHeaders(), ...headers } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["content-type"] = "application/json";
  }
  const res = await fetch(`/api/v1${path}`, init);
  let envelope;
  try {
    envelope = await res.json();
  } catch {
    envelope = { code: -1, message: `the service answered HTTP ${res.status}`, data: null };
  }
  if (envelope.code === 40101) {
    await askToken("That token was refused: give the token the service runs with.");
    return api(method, path, body, headers);
  }
  if (envelope.code !== 0) throw new ApiError(envelope);
  return envelope.data;
}

/** A PNG from the API as an object URL (an <img src> could not send the token). */
async function image(path) {
  if (tokenRequired && !token) await askToken();
  const res = await fetch(`/api/v1${path}`, { headers: authHeaders() });
  if (!res.ok || !res.headers.get("content-type")?.startsWith("image/")) {
    const envelope = await res.json().catch(() => ({ message: `HTTP ${res.status}` }));
    throw new Error(envelope.message);
  }
  return URL.createObjectURL(await res.blob());
}

const query = (params) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== "" && v !== undefined && v !== null) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
};

let openapi;
/** The OpenAPI document (the same schemas the API validates with), fetched once. */
async function openapiDocument() {
  openapi ??= fetch("/swagger/json").then((r) => r.json());
  return openapi;
}

// ---- live events ----------------------------------------------------------------------------------------

const listeners = new Set();
const finished = []; // times of tasks finished while this page was open: the throughput

const events = {
  source: undefined,
  start() {
    if (tokenRequired && !token) return;
    const url = `/api/v1/events${token ? `?token=${encodeURIComponent(token)}` : ""}`;
    const live = document.getElementById("live");
    const source = new EventSource(url);
    this.source = source;
    source.onopen = () => {
      live.textContent = "live";
      live.classList.add("on");
    };
    source.onerror = () => {
      live.textContent = "reconnecting…";
      live.classList.remove("on");
    };
    for (const type of ["task", "device"]) {
      source.addEventListener(type, (e) => {
        const event = JSON.parse(e.data);
        if (type === "task" && (event.status === "completed" || event.status === "failed")) {
          finished.push(Date.now());
        }
        for (const fn of listeners) fn(event);
      });
    }
  },
  restart() {
    this.source?.close();
    this.start();
  },
};

function onEvent(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function perMinute() {
  const since = Date.now() - 60_000;
  while (finished.length && finished[0] < since) finished.shift();
  return finished.length;
}

// ---- router -----------------------------------------------------------------------------------------------

const view = () => document.getElementById("view");
let leave = () => {};

const pages = {
  farm: farmPage,
  tasks: tasksPage,
  task: taskPage,
  new: newTaskPage,
  accounts: accountsPage,
  materials: materialsPage,
  license: licensePage,
};

function route() {
  const [path, search = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const [name = "farm", arg] = path.split("/");
  const page = name === "tasks" && arg ? "task" : pages[name] ? name : "farm";
  leave();
  leave = () => {};
  for (const a of document.querySelectorAll("nav a")) {
    const current = a.dataset.page === (page === "task" ? "tasks" : page);
    if (current) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const root = view();
  root.replaceChildren();
  const cleanup = pages[page](root, { arg, params: new URLSearchParams(search) });
  if (typeof cleanup === "function") leave = cleanup;
}

function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

/** Runs a page's loader; an error is shown on the page instead of thrown into the console. */
async function guarded(root, fn) {
  try {
    await fn();
  } catch (e) {
    root.append(h("p", { class: "notice", role: "alert" }, e.message));
  }
}

// ---- farm -------------------------------------------------------------------------------------------------

const selected = new Set();

function farmPage(root) {
  const grid = h("div", { class: "grid", "aria-live": "polite" });
  const count = h("span", { class: "muted" });
  // adb missing or down: no phone behind it can be seen, whatever the grid shows
  const adbBanner = h("p", { class: "notice", role: "alert", id: "adb-banner", hidden: true });
  const startBtn = h("button", { type: "button", class: "primary", onclick: () => startOnSelected() });
  const refreshShots = h("input", { type: "checkbox", id: "slow-refresh" });
  let devices = [];

  const updateSelection = () => {
    startBtn.textContent = `New task on ${selected.size} selected`;
    startBtn.disabled = selected.size === 0;
    for (const card of grid.children) card.classList.toggle("selected", selected.has(card.dataset.serial));
  };
  const startOnSelected = () => go(`#/new?serials=${encodeURIComponent([...selected].join(","))}`);

  root.append(
    h("h2", {}, "Farm"),
    h(
      "div",
      { class: "toolbar" },
      h(
        "button",
        {
          type: "button",
          onclick: () => {
            for (const d of devices) if (d.state === "online") selected.add(d.serial);
            render();
          },
        },
        "Select all online",
      ),
      h(
        "button",
        {
          type: "button",
          onclick: () => {
            selected.clear();
            render();
          },
        },
        "Clear selection",
      ),
      startBtn,
      h("span", { class: "spacer" }),
      h("label", { for: "slow-refresh" }, refreshShots, "Refresh screenshots every 30 s (cards in view)"),
      count,
    ),
    adbBanner,
    grid,
  );

  // the accounts of every phone, from the account list (a few requests, not one per phone); they change only
  // through tasks (match_accounts, switching) or by hand, so they are read again at most every 10 s
  let accountsBySerial = null;
  async function loadAccounts() {
    const bySerial = new Map();
    for (let page = 1, seen = 0; ; page++) {
      const r = await api("GET", `/accounts?page=${page}&page_size=100`);
      for (const a of r.accounts) bySerial.set(a.device, [...(bySerial.get(a.device) ?? []), a]);
      seen += r.accounts.length;
      if (seen >= r.total || r.accounts.length === 0) break;
    }
    accountsBySerial = bySerial;
  }
  async function cardFor(d) {
    const detail = { ...d, accounts: accountsBySerial.get(d.serial) ?? [] };
    let running = null;
    if (detail.running_task_id) {
      running = await api("GET", `/task/${detail.running_task_id}`).catch(() => null);
    }
    // the list is newest first: its last page of one is the oldest pending task, the head of the queue
    let head = null;
    if (detail.queued_count > 0) {
      const q = query({ status: 0, serial: d.serial, page: detail.queued_count, page_size: 1 });
      head = (await api("GET", `/task${q}`).catch(() => null))?.tasks[0] ?? null;
    }
    // an unchanged phone keeps its card (and its screenshot, and its focus)
    const key = JSON.stringify([detail, running?.id, running?.logs?.at(-1)?.message, head?.waiting_for]);
    const old = cards.get(d.serial);
    if (old?.key === key) return old.el;
    const checkId = nextId("pick");
    const box = h("input", {
      type: "checkbox",
      id: checkId,
      checked: selected.has(d.serial),
      onchange: (e) => {
        if (e.target.checked) selected.add(d.serial);
        else selected.delete(d.serial);
        updateSelection();
      },
    });
    const shot = h("div", { class: "shot" });
    const takeShot = async () => {
      try {
        const url = await image(`/device/${encodeURIComponent(d.serial)}/screenshot`);
        const old = shot.querySelector("img");
        if (old) URL.revokeObjectURL(old.src);
        shot.replaceChildren(h("img", { src: url, alt: `Screen of ${d.serial}` }));
      } catch (e) {
        shot.replaceChildren(h("p", { class: "hint" }, e.message));
      }
    };
    const lastStep = running?.logs?.at(-1);
    const card = h(
      "article",
      {
        class: "card",
        dataset: { serial: d.serial, state: detail.state },
        "aria-label": `Phone ${d.serial}`,
      },
      h("header", {}, box, h("label", { for: checkId, class: "card-title" }, d.serial), badge(detail.state)),
      detail.hint && h("p", { class: "hint" }, detail.hint),
      h(
        "dl",
        {},
        h("dt", {}, "Model"),
        h("dd", {}, [detail.brand, detail.model].filter(Boolean).join(" ") || "—"),
        h("dt", {}, "Android"),
        h("dd", {}, detail.android_version ?? "—"),
        h("dt", {}, "Battery"),
        h("dd", {}, detail.battery === null || detail.battery === undefined ? "—" : `${detail.battery}%`),
        h("dt", {}, "Running"),
        h(
          "dd",
          { class: "running" },
          running
            ? [
                h("a", { href: `#/tasks/${running.id}` }, `#${running.id} ${running.script_name}`),
                lastStep ? h("div", { class: "muted" }, lastStep.message) : null,
              ]
            : "—",
        ),
        h("dt", {}, "Queued"),
        h("dd", { class: "queued" }, String(detail.queued_count ?? 0), head && waitingNote(head)),
        h("dt", {}, "Accounts"),
        h(
          "dd",
          {},
          detail.accounts?.length
            ? h(
                "ul",
                { class: "accounts" },
                detail.accounts.map((a) =>
                  h(
                    "li",
                    {},
                    `@${a.username} `,
                    h("span", { class: "muted" }, `${a.platform}${a.logined ? "" : " (logged out)"}`),
                  ),
                ),
              )
            : "none recorded",
        ),
      ),
      h(
        "div",
        {},
        h("button", { type: "button", onclick: takeShot, disabled: detail.state !== "online" }, "Screenshot"),
      ),
      shot,
    );
    card.takeShot = takeShot;
    const kept = old?.el.querySelector(".shot img");
    if (kept) shot.replaceChildren(kept);
    cards.set(d.serial, { key, el: card });
    return card;
  }

  // slow refresh: only cards on screen, only when asked
  const inView = new Set();
  const observer = new IntersectionObserver((entries) => {
    for (const e of entries) {
      if (e.isIntersecting) inView.add(e.target);
      else inView.delete(e.target);
    }
  });
  const timer = setInterval(() => {
    if (!refreshShots.checked) return;
    for (const card of inView) if (card.dataset.state === "online" && card.isConnected) card.takeShot();
  }, 30_000);

  const cards = new Map(); // serial → { key, el }: the cards drawn, by what they show
  let rendering = false;
  let again = false;
  async function render() {
    if (rendering) {
      again = true;
      return;
    }
    rendering = true;
    try {
      const [list] = await Promise.all([api("GET", "/device"), accountsBySerial ?? loadAccounts()]);
      devices = list.devices;
      const adbDown = ["not_installed", "unreachable"].includes(list.adb.state);
      adbBanner.hidden = !adbDown;
      adbBanner.textContent = adbDown ? list.adb.message : "";
      const shown = await Promise.all(devices.map(cardFor));
      observer.disconnect();
      inView.clear();
      grid.replaceChildren(...shown);
      for (const card of shown) observer.observe(card);
      if (shown.length === 0)
        grid.append(
          h(
            "p",
            { class: "muted" },
            adbDown
              ? "No phone can be seen until adb answers."
              : "No phone seen yet: plug one in or connect one.",
          ),
        );
      const online = devices.filter((d) => d.state === "online").length;
      count.textContent = `${devices.length} phones, ${online} online`;
      updateSelection();
    } catch (e) {
      grid.replaceChildren(h("p", { class: "notice", role: "alert" }, e.message));
    } finally {
      rendering = false;
      if (again) {
        again = false;
        render();
      }
    }
  }
  const later = coalesce(render, 1000);
  const accountsLater = coalesce(() => {
    accountsBySerial = null;
    later();
  }, 10_000);
  const off = onEvent((e) => {
    if (e.type === "device") accountsBySerial = null;
    if (e.status === "completed" || e.status === "failed") accountsLater();
    later();
  });
  // adb coming back sends no event: look again while the banner shows
  const adbTimer = setInterval(() => !adbBanner.hidden && later(), 5000);
  render();
  return () => {
    off();
    clearInterval(timer);
    clearInterval(adbTimer);
    observer.disconnect();
  };
}

// ---- tasks ------------------------------------------------------------------------------------------------

/** What "Retry all failed" did: how many went back in the queue, and why the others stayed failed. */
function retriedAllText(r) {
  const why = [
    [r.skipped.post_tapped, "failed after Post was tapped (may be published already)"],
    [r.skipped.stopped_by_user, "stopped by the user"],
    [r.skipped.permanent, "failed for good"],
  ]
    .filter(([n]) => n > 0)
    .map(([n, text]) => `${n} ${text}`);
  const left = why.length ? `; left failed: ${why.join(", ")} (retry those one by one)` : "";
  return `${r.retried_count} failed tasks queued again${left}`;
}

/** Retries one failed task; one that may be published already only once the user confirms. */
async function retryTask(id) {
  try {
    await api("POST", `/task/${id}/retry`);
  } catch (e) {
    if (e.data?.reason !== "post_tapped") throw e;
    if (
      confirm(
        `Task ${id} failed after ${e.data.irreversible}: it may already be published. Run it again anyway?`,
      )
    )
      await api("POST", `/task/${id}/retry`, { confirm_repost: true });
  }
}

const taskFilter = { status: "", serial: "", script_name: "", source: "", page: 1, page_size: 20 };

function tasksPage(root) {
  const counts = h("div", { class: "counts", role: "group", "aria-label": "Tasks by status" });
  const throughput = h("span", { class: "muted", id: "throughput" });
  const body = h("tbody");
  const pager = h("div", { class: "pager" });
  const picked = new Set();
  const shown = new Map(); // id → the task as listed, to redraw its row when an event changes it
  const deleteSelected = h("button", { type: "button", class: "danger", disabled: true }, "Delete selected");
  const allBox = h("input", { type: "checkbox", "aria-label": "Select every task on this page" });

  const { form: filters, add: field } = filterBar("f", taskFilter, () => load());
  field("status", "Status", h("select", {}, options([["", "any"], ...STATUS.map((s, i) => [String(i), s])])));
  field("serial", "Phone", h("input", { type: "text", placeholder: "serial", size: 18 }));
  field("script_name", "Script", h("select", {}, options([["", "any"]])));
  field(
    "source",
    "Source",
    h(
      "select",
      {},
      options([
        ["", "any"],
        ["ui", "ui"],
        ["api", "api"],
      ]),
    ),
  );
  field("page_size", "Per page", h("select", {}, options(["10", "20", "50", "100"].map((n) => [n, n]))));
  openapiDocument()
    .then((doc) => {
      const select = filters.querySelector("#f-script_name");
      for (const name of scriptNames(doc)) select.append(h("option", { value: name }, name));
      select.value = taskFilter.script_name;
    })
    .catch(() => {});

  root.append(
    h("h2", {}, "Tasks"),
    counts,
    filters,
    h(
      "div",
      { class: "toolbar" },
      deleteSelected,
      h(
        "button",
        {
          type: "button",
          onclick: async () => {
            try {
              const r = await api("POST", "/task/retry-all");
              notice(retriedAllText(r), "info");
              load();
            } catch (e) {
              notice(e.message);
            }
          },
        },
        "Retry all failed",
      ),
      h("a", { class: "button primary", href: "#/new" }, "New task"),
      h("span", { class: "spacer" }),
      throughput,
    ),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        {},
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", {}, allBox),
            h("th", {}, "ID"),
            h("th", {}, "Phone"),
            h("th", { class: "opt" }, "Account"),
            h("th", {}, "Script"),
            h("th", {}, "Status"),
            h("th", { class: "opt" }, "Source"),
            h("th", { class: "opt" }, "Created"),
            h("th", { class: "opt" }, "Error"),
            h("th", {}, "Actions"),
          ),
        ),
        body,
      ),
    ),
    pager,
  );

  const syncPicked = () => {
    deleteSelected.disabled = picked.size === 0;
    deleteSelected.textContent = `Delete selected (${picked.size})`;
  };
  allBox.addEventListener("change", () => {
    for (const box of body.querySelectorAll("input[type=checkbox]")) {
      box.checked = allBox.checked;
      const id = Number(box.dataset.id);
      if (allBox.checked) picked.add(id);
      else picked.delete(id);
    }
    syncPicked();
  });
  deleteSelected.addEventListener("click", async () => {
    if (!confirm(`Delete ${picked.size} tasks? Running ones are stopped first.`)) return;
    try {
      const r = await api("DELETE", "/task/batch", { task_ids: [...picked] });
      notice(`${r.deleted_count} tasks deleted`, "info");
      picked.clear();
      load();
    } catch (e) {
      notice(e.message);
    }
  });

  const act = (label, fn, cls) =>
    h(
      "button",
      {
        type: "button",
        class: cls,
        onclick: async () => {
          try {
            await fn();
            load();
          } catch (e) {
            notice(e.message);
          }
        },
      },
      label,
    );

  function row(t) {
    const box = h("input", {
      type: "checkbox",
      "aria-label": `Select task ${t.id}`,
      checked: picked.has(t.id),
      dataset: { id: String(t.id) },
      onchange: (e) => {
        if (e.target.checked) picked.add(t.id);
        else picked.delete(t.id);
        syncPicked();
      },
    });
    const actions = [];
    if (t.status <= 1) actions.push(act("Stop", () => api("POST", `/task/${t.id}/stop`)));
    if (t.status === 3) actions.push(act("Retry", () => retryTask(t.id)));
    if (t.status >= 2) actions.push(act("Run again", () => runAgain(t)));
    actions.push(
      act(
        "Delete",
        async () => {
          if (confirm(`Delete task ${t.id}?`)) await api("DELETE", `/task/${t.id}`);
        },
        "danger",
      ),
    );
    return h(
      "tr",
      { dataset: { id: String(t.id), status: t.status_text } },
      h("td", {}, box),
      h("td", {}, h("a", { href: `#/tasks/${t.id}` }, `#${t.id}`)),
      h("td", {}, t.serial),
      h("td", { class: "opt" }, t.username ?? "—"),
      h("td", {}, t.script_name),
      h("td", { class: "status" }, badge(t.status_text), waitingNote(t)),
      h("td", { class: "opt" }, t.source),
      h("td", { class: "opt" }, when(t.created_at)),
      h("td", { class: "opt err" }, t.error ?? ""),
      h("td", { class: "actions" }, actions),
    );
  }

  async function load() {
    try {
      const [list, stats] = await Promise.all([
        api("GET", `/task${query({ ...taskFilter })}`),
        api("GET", "/task/stats"),
      ]);
      counts.replaceChildren(
        h("span", { class: "muted" }, "Show:"),
        ...[["", "all", stats.total], ...STATUS.map((s, i) => [String(i), s, stats[s]])].map(([v, name, n]) =>
          h(
            "button",
            {
              type: "button",
              "aria-pressed": String(taskFilter.status === v),
              class: `count-${name}`,
              onclick: () => {
                taskFilter.status = v;
                taskFilter.page = 1;
                filters.querySelector("#f-status").value = v;
                load();
              },
            },
            `${name} ${n}`,
          ),
        ),
      );
      shown.clear();
      for (const t of list.tasks) shown.set(t.id, t);
      body.replaceChildren(...list.tasks.map(row));
      if (list.tasks.length === 0)
        body.append(h("tr", {}, h("td", { colspan: 10, class: "muted" }, "No task.")));
      allBox.checked = false;
      syncPicked();
      pagerOf(pager, list, taskFilter, load);
    } catch (e) {
      notice(e.message);
    }
  }

  const later = coalesce(load, 1000);
  const off = onEvent((e) => {
    if (e.type !== "task") return;
    // the row changes at once; the list and counts follow (new tasks, order, filters)
    const tr = body.querySelector(`tr[data-id="${e.id}"]`);
    const t = shown.get(e.id);
    if (tr && t && e.status !== "deleted") {
      const status = STATUS.indexOf(e.status);
      tr.replaceWith(
        row({ ...t, status, status_text: e.status, error: e.error, waiting_for: e.waiting_for }),
      );
    }
    later();
  });
  const tick = () => (throughput.textContent = `${perMinute()} finished in the last minute`);
  tick();
  const timer = setInterval(tick, 2000);
  load();
  return () => {
    off();
    clearInterval(timer);
  };
}

/** The API shows secrets (a ChatGPT api_key) masked: such a config cannot be replayed as it is. */
function hasMaskedSecret(value) {
  if (value === null || typeof value !== "object") return false;
  return Object.entries(value).some(([k, v]) =>
    k === "api_key" && typeof v === "string" ? v !== "" : hasMaskedSecret(v),
  );
}

/** The same script and config on the same phone, or account when the task had one. */
async function runAgain(t) {
  if (hasMaskedSecret(t.script_config)) {
    throw new Error(
      `task ${t.id}'s api_key is shown masked and cannot be sent again: start it from New task with the key`,
    );
  }
  const target = t.username ? { usernames: [t.username] } : { serials: [t.serial] };
  const r = await api(
    "POST",
    "/task",
    { ...target, platform: t.platform, script_name: t.script_name, script_config: t.script_config },
    { "x-farm-source": "ui" },
  );
  notice(`task ${r.task_ids.join(", ")} created`, "info");
}

function taskPage(root, { arg }) {
  const id = Number(arg);
  const panel = h("div");
  root.append(h("p", {}, h("a", { href: "#/tasks" }, "← Tasks")), h("h2", {}, `Task #${id}`), panel);

  async function load() {
    try {
      const t = await api("GET", `/task/${id}`);
      const started = t.started_at ? Date.parse(t.started_at) : null;
      const ended = t.finished_at ? Date.parse(t.finished_at) : null;
      const actions = h("div", { class: "toolbar" });
      const add = (label, fn) =>
        actions.append(
          h(
            "button",
            {
              type: "button",
              onclick: async () => {
                try {
                  await fn();
                  load();
                } catch (e) {
                  notice(e.message);
                }
              },
            },
            label,
          ),
        );
      if (t.status <= 1) add("Stop", () => api("POST", `/task/${id}/stop`));
      if (t.status === 3) add("Retry", () => retryTask(id));
      if (t.status >= 2) add("Run again", () => runAgain(t));
      const shot = h("div", { class: "shot" });
      panel.replaceChildren(
        actions,
        h(
          "div",
          { class: "detail" },
          h(
            "section",
            { class: "panel", "aria-label": "Task" },
            h(
              "dl",
              { class: "kv" },
              ...[
                ["Status", [badge(t.status_text), waitingNote(t)]],
                ["Phone", t.serial],
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
              ].flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
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
                    h(
                      "td",
                      {},
                      new Date(l.at).toLocaleTimeString(undefined, {
                        timeZone: serviceTime.zone ?? undefined,
                      }),
                    ),
                    h("td", {}, l.message),
                    h("td", {}, seconds(l.duration_ms)),
                  ),
                ),
              ),
            ),
            t.has_screenshot ? [h("h3", {}, "Screen at the failure"), shot] : null,
          ),
        ),
      );
      // only a failure on a phone still online leaves a screenshot (not a stop, not a pending task)
      if (t.has_screenshot) {
        image(`/task/${id}/screenshot`)
          .then((url) => shot.replaceChildren(h("img", { src: url, alt: `Screen when task ${id} failed` })))
          .catch((e) => shot.replaceChildren(h("p", { class: "muted" }, e.message)));
      }
    } catch (e) {
      panel.replaceChildren(h("p", { class: "notice", role: "alert" }, e.message));
    }
  }
  const later = coalesce(load, 500);
  const off = onEvent((e) => e.type === "task" && e.id === id && later());
  load();
  return off;
}

// ---- new task -------------------------------------------------------------------------------------------

function scriptNames(doc) {
  return Object.keys(doc.components.schemas)
    .filter((k) => k.startsWith(SCRIPT_SCHEMA_PREFIX))
    .map((k) => k.slice(SCRIPT_SCHEMA_PREFIX.length));
}

/** The document says a top-level default in words ("…; default 30"): read it back. */
function defaultOf(schema) {
  if ("default" in schema) return schema.default;
  const m = /(?:^|; )default (.+)$/.exec(schema.description ?? "");
  if (!m) return undefined;
  try {
    return JSON.parse(m[1]);
  } catch {
    return undefined;
  }
}

function helpOf(schema) {
  return (schema.description ?? "").replace(/(?:^|; )default .+$/, "").trim();
}

/**
 * One control per property of a script's schema. Returns the fieldset and a reader giving the config
 * (fields left at their default are left out, so the task keeps only what was chosen).
 */
function configFields(schema, path, registerField) {
  const readers = [];
  const wrap = h("div");
  const required = new Set(schema.required ?? []);
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    const fieldPath = `${path}/${name}`;
    const id = nextId("cfg");
    const def = defaultOf(prop);
    const help = helpOf(prop);
    const helpId = help ? `${id}-help` : undefined;
    const errorEl = h("p", { class: "field-error", id: `${id}-error`, hidden: true });
    const consts = (prop.anyOf ?? []).filter((v) => "const" in v).map((v) => v.const);
    let control;
    let read;
    if (prop.type === "object") {
      const inner = configFields(prop, fieldPath, registerField);
      wrap.append(
        h("fieldset", {}, h("legend", {}, name), help ? h("p", { class: "help" }, help) : null, inner.el),
      );
      // sent whole (its schema requires every field), and only when something in it was changed
      readers.push(() => (Object.keys(inner.read()).length ? [name, inner.read(true)] : null));
      continue;
    }
    if (consts.length) {
      control = h(
        "select",
        {},
        consts.map((c) => h("option", { value: JSON.stringify(c) }, String(c))),
      );
      if (def !== undefined) control.value = JSON.stringify(def);
      read = () => JSON.parse(control.value);
    } else if (prop.type === "boolean") {
      control = h("input", { type: "checkbox", checked: def === true });
      read = () => control.checked;
    } else if (prop.type === "integer" || prop.type === "number") {
      control = h("input", {
        type: "number",
        min: prop.minimum,
        max: prop.maximum,
        step: prop.type === "integer" ? 1 : "any",
        value: def ?? "",
      });
      read = () => (control.value === "" ? undefined : Number(control.value));
    } else if (prop.type === "array") {
      control = h("textarea", { rows: 3, placeholder: "one per line" });
      control.value = (def ?? []).join("\n");
      read = () =>
        control.value
          .split("\n")
          .map((s) => s.trim())
          .filter(Boolean);
    } else {
      const long = /caption|comment|topic|prompt|target|content/.test(name);
      control = long ? h("textarea", { rows: 3 }) : h("input", { type: "text" });
      control.value = def ?? "";
      read = () => control.value;
    }
    control.id = id;
    control.name = name;
    if (helpId) control.setAttribute("aria-describedby", `${helpId} ${id}-error`);
    else control.setAttribute("aria-describedby", `${id}-error`);
    if (required.has(name) && def === undefined) control.required = true;
    const isCheck = prop.type === "boolean";
    wrap.append(
      h(
        "div",
        { class: `field${isCheck ? " check" : ""}`, dataset: { path: fieldPath } },
        isCheck
          ? h("label", { for: id, class: "check-label" }, control, name)
          : [h("label", { for: id }, name), control],
        help ? h("p", { class: "help", id: helpId }, help) : null,
        errorEl,
      ),
    );
    registerField(fieldPath, control, errorEl);
    readers.push((keepAll) => {
      const v = read();
      if (v === undefined) return null;
      if (!keepAll && !required.has(name) && JSON.stringify(v) === JSON.stringify(def)) return null;
      return [name, v];
    });
  }
  return {
    el: wrap,
    // a nested object whose schema requires every field (chatgpt_settings) is sent whole
    read: (keepAll = false) => Object.fromEntries(readers.map((r) => r(keepAll)).filter(Boolean)),
  };
}

function newTaskPage(root, { params }) {
  const preset = new Set((params.get("serials") ?? "").split(",").filter(Boolean));
  const form = h("form", { class: "task-form", novalidate: true, "aria-label": "New task" });
  const formError = h("p", { class: "notice", role: "alert", hidden: true });
  root.append(h("h2", {}, "New task"), formError, form);
  const fields = new Map(); // path → { control, errorEl }
  const registerField = (path, control, errorEl) => fields.set(path, { control, errorEl });

  guarded(root, async () => {
    const [doc, deviceList, accountList] = await Promise.all([
      openapiDocument(),
      api("GET", "/device"),
      api("GET", "/accounts?page_size=100"),
    ]);
    const devices = deviceList.devices;
    const accounts = accountList.accounts;

    const scriptSel = h("select", { id: "script", name: "script_name" });
    for (const n of scriptNames(doc)) scriptSel.append(h("option", { value: n }, n));
    scriptSel.value = params.get("script") ?? "post";
    const scriptHelp = h("p", { class: "help", id: "script-help" });
    scriptSel.setAttribute("aria-describedby", "script-help");

    // targets
    const mode = (value, label) =>
      h(
        "label",
        {},
        h("input", { type: "radio", name: "mode", value, checked: value === "phones", onchange: showMode }),
        label,
      );
    const phoneChoices = h(
      "div",
      { class: "choices", role: "group", "aria-label": "Phones" },
      devices.map((d) => {
        const id = nextId("ph");
        return h(
          "label",
          { for: id },
          h("input", {
            type: "checkbox",
            id,
            value: d.serial,
            checked: preset.has(d.serial),
            name: "serials",
          }),
          `${d.serial} `,
          badge(d.state),
        );
      }),
    );
    const accountChoices = h(
      "div",
      { class: "choices", role: "group", "aria-label": "Accounts" },
      accounts.length
        ? accounts.map((a) => {
            const id = nextId("ac");
            return h(
              "label",
              { for: id },
              h("input", {
                type: "checkbox",
                id,
                value: `@${a.username}`,
                name: "usernames",
                dataset: { platform: a.platform },
              }),
              `@${a.username} `,
              h("span", { class: "muted" }, `${a.platform} on ${a.device}`),
            );
          })
        : h("p", { class: "muted" }, "No account recorded: run match_accounts from Accounts."),
    );
    const platformSel = h(
      "select",
      { id: "platform", name: "platform" },
      h("option", { value: "" }, "default"),
      h("option", { value: "tiktok" }, "tiktok"),
      h("option", { value: "instagram" }, "instagram"),
    );
    const targetsError = h("p", { class: "field-error", id: "targets-error", hidden: true });
    const phonesBox = h(
      "div",
      { class: "field", dataset: { path: "/serials" } },
      h("strong", {}, "Phones"),
      phoneChoices,
    );
    const accountsBox = h(
      "div",
      { class: "field", dataset: { path: "/usernames" }, hidden: true },
      h("strong", {}, "Accounts"),
      accountChoices,
    );
    function showMode() {
      const m = form.querySelector("input[name=mode]:checked").value;
      phonesBox.hidden = m === "accounts";
      accountsBox.hidden = m !== "accounts";
    }
    registerField("/serials", phoneChoices, targetsError);
    registerField("/usernames", accountChoices, targetsError);
    registerField("/enable_multi_account", phoneChoices, targetsError);

    const numberField = (name, label, attrs, help) => {
      const id = `f-${name}`;
      const err = h("p", { class: "field-error", id: `${id}-error`, hidden: true });
      const control = h("input", { id, name, "aria-describedby": `${id}-help ${id}-error`, ...attrs });
      registerField(`/${name}`, control, err);
      return h(
        "div",
        { class: "field", dataset: { path: `/${name}` } },
        h("label", { for: id }, label),
        control,
        h("p", { class: "help", id: `${id}-help` }, help),
        err,
      );
    };
    const platformErr = h("p", { class: "field-error", id: "platform-error", hidden: true });
    registerField("/platform", platformSel, platformErr);

    const configBox = h("fieldset", {}, h("legend", {}, "script_config"));
    let config;
    const showConfig = () => {
      for (const key of [...fields.keys()]) if (key.startsWith("/script_config")) fields.delete(key);
      const schema = doc.components.schemas[`${SCRIPT_SCHEMA_PREFIX}${scriptSel.value}`];
      scriptHelp.textContent = schema.description ?? "";
      config = configFields(schema, "/script_config", registerField);
      configBox.replaceChildren(h("legend", {}, `script_config of ${scriptSel.value}`), config.el);
      if (!Object.keys(schema.properties ?? {}).length)
        configBox.append(h("p", { class: "muted" }, "No settings."));
    };
    scriptSel.addEventListener("change", showConfig);

    const submit = h("button", { type: "submit", class: "primary" }, "Start");
    form.append(
      h(
        "fieldset",
        {},
        h("legend", {}, "Script"),
        h("div", { class: "field" }, h("label", { for: "script" }, "Script"), scriptSel, scriptHelp),
      ),
      h(
        "fieldset",
        {},
        h("legend", {}, "Run on"),
        h(
          "div",
          { class: "modes", role: "radiogroup", "aria-label": "Run on" },
          mode("phones", "phones (the account in use)"),
          mode("accounts", "accounts"),
          mode("multi", "every account on the phones, one after another"),
        ),
        phonesBox,
        accountsBox,
        targetsError,
        h("div", { class: "field" }, h("label", { for: "platform" }, "Platform"), platformSel, platformErr),
      ),
      h(
        "fieldset",
        {},
        h("legend", {}, "When"),
        h(
          "div",
          { class: "row" },
          numberField(
            "start_time",
            "Start at",
            { type: "time" },
            `HH:MM in ${serviceTime.zone ?? "the service's time zone"}; empty: now`,
          ),
          numberField(
            "min_interval",
            "Min interval",
            { type: "number", min: 0, max: 1440 },
            "minutes between tasks on a phone",
          ),
          numberField(
            "max_interval",
            "Max interval",
            { type: "number", min: 0, max: 1440 },
            "minutes; default the minimum",
          ),
        ),
      ),
      configBox,
      h("div", { class: "actions" }, submit),
    );
    showConfig();

    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      for (const { control, errorEl } of fields.values()) {
        errorEl.hidden = true;
        control.removeAttribute("aria-invalid");
      }
      formError.hidden = true;
      const m = form.querySelector("input[name=mode]:checked").value;
      const body = { script_name: scriptSel.value, script_config: config.read() };
      const checked = (box) => [...box.querySelectorAll("input:checked")].map((i) => i.value);
      if (m === "accounts") body.usernames = checked(accountChoices);
      else body.serials = checked(phoneChoices);
      if (m === "multi") body.enable_multi_account = true;
      if (platformSel.value) body.platform = platformSel.value;
      const start = form.querySelector("#f-start_time").value;
      if (start) body.start_time = start;
      for (const n of ["min_interval", "max_interval"]) {
        const v = form.querySelector(`#f-${n}`).value;
        if (v !== "") body[n] = Number(v);
      }
      if ((body.serials ?? body.usernames).length === 0) {
        showError("/serials", m === "accounts" ? "pick at least one account" : "pick at least one phone");
        return;
      }
      submit.disabled = true;
      try {
        const r = await api("POST", "/task", body, { "x-farm-source": "ui" });
        // what could not be checked at creation is said with the tasks created
        const warned = r.warnings?.length > 0;
        notice(
          `${r.created_count} task${r.created_count === 1 ? "" : "s"} created: #${r.task_ids.join(", #")}` +
            (warned ? `; ${r.warnings.join("; ")}` : ""),
          warned ? "warn" : "info",
        );
        Object.assign(taskFilter, { status: "", serial: "", script_name: "", source: "", page: 1 });
        go("#/tasks");
      } catch (err) {
        const details = err.data?.errors ?? [];
        let shown = 0;
        for (const d of details) if (showError(d.path, d.message)) shown++;
        if (shown === 0 || shown < details.length || details.length === 0) {
          formError.textContent = err.message;
          formError.hidden = false;
        }
      } finally {
        submit.disabled = false;
      }
    });

    /** Puts a message beside the field the path names (its nearest registered ancestor). */
    function showError(path, message) {
      let p = path;
      while (p && !fields.has(p)) p = p.slice(0, p.lastIndexOf("/"));
      const f = fields.get(p);
      if (!f) return false;
      f.errorEl.textContent = message;
      f.errorEl.hidden = false;
      f.control.setAttribute("aria-invalid", "true");
      f.control.focus?.();
      return true;
    }
  });
}

// ---- accounts ---------------------------------------------------------------------------------------------

function accountsPage(root) {
  const filter = { platform: "", device: "", logined: "", status: "", tag: "", page: 1, page_size: 50 };
  const body = h("tbody");
  const pager = h("div", { class: "pager" });
  const { form: filters, add } = filterBar("a", filter, () => load());
  const sel = (pairs) => h("select", {}, options(pairs));
  add(
    "platform",
    "Platform",
    sel([
      ["", "any"],
      ["tiktok", "tiktok"],
      ["instagram", "instagram"],
    ]),
  );
  add("device", "Phone", h("input", { type: "text", placeholder: "serial", size: 18 }));
  add(
    "logined",
    "Logged in",
    sel([
      ["", "any"],
      ["1", "yes"],
      ["0", "no"],
    ]),
  );
  add(
    "status",
    "Enabled",
    sel([
      ["", "any"],
      ["1", "enabled"],
      ["0", "disabled"],
    ]),
  );
  add("tag", "Tag", h("input", { type: "text", size: 10 }));

  const match = h(
    "button",
    {
      type: "button",
      class: "primary",
      onclick: async () => {
        try {
          const online = (await api("GET", "/device")).devices.filter((d) => d.state === "online");
          if (!online.length) throw new Error("no phone is online");
          const r = await api(
            "POST",
            "/task",
            { serials: online.map((d) => d.serial), script_name: "match_accounts", script_config: {} },
            { "x-farm-source": "ui" },
          );
          notice(
            `match_accounts started on ${r.created_count} phones; the list updates when they finish`,
            "info",
          );
        } catch (e) {
          notice(e.message);
        }
      },
    },
    "Run match_accounts on every online phone",
  );
  root.append(
    h("h2", {}, "Accounts"),
    filters,
    h("div", { class: "toolbar" }, match),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        {},
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ["Username", "Platform", "Phone", "Logged in", "Enabled", "Tags", "Last seen"].map((t) =>
              h("th", {}, t),
            ),
          ),
        ),
        body,
      ),
    ),
    pager,
  );
  async function load() {
    try {
      const r = await api("GET", `/accounts${query(filter)}`);
      body.replaceChildren(
        ...r.accounts.map((a) =>
          h(
            "tr",
            {},
            h("td", {}, `@${a.username}`),
            h("td", {}, a.platform),
            h("td", {}, a.device, " ", badge(a.device_online ? "online" : "offline")),
            h("td", {}, a.logined_text.replaceAll("_", " ")),
            h("td", {}, a.status_text),
            h("td", {}, a.tags.join(", ")),
            h("td", {}, when(a.last_seen_at)),
          ),
        ),
      );
      if (!r.accounts.length)
        body.append(h("tr", {}, h("td", { colspan: 7, class: "muted" }, "No account.")));
      pagerOf(pager, r, filter, load);
    } catch (e) {
      notice(e.message);
    }
  }
  const later = coalesce(load, 1000);
  const off = onEvent(
    (e) => e.type === "task" && (e.status === "completed" || e.status === "failed") && later(),
  );
  load();
  return off;
}

function pagerOf(pager, r, filter, load) {
  const pages = Math.max(1, Math.ceil(r.total / r.page_size));
  const turn = (by) => () => {
    filter.page = r.page + by;
    load();
  };
  pager.replaceChildren(
    h("button", { type: "button", disabled: r.page <= 1, onclick: turn(-1) }, "Previous"),
    h("span", {}, `Page ${r.page} of ${pages} (${r.total})`),
    h("button", { type: "button", disabled: r.page >= pages, onclick: turn(1) }, "Next"),
  );
}

// ---- materials --------------------------------------------------------------------------------------------

function materialsPage(root) {
  const filter = { tag: "", type: "", used: "", page: 1, page_size: 50 };
  const body = h("tbody");
  const pager = h("div", { class: "pager" });
  const fileInput = h("input", { type: "file", id: "upload-file", multiple: true });
  const tagsInput = h("input", { type: "text", id: "upload-tags", placeholder: "demo, cats" });
  const progress = h("div", { "aria-live": "polite" });
  const drop = h(
    "div",
    { class: "drop", id: "drop" },
    h("p", {}, "Drop videos or images here, or choose them."),
    h(
      "div",
      { class: "toolbar" },
      h("label", { for: "upload-file" }, "Files"),
      fileInput,
      h("label", { for: "upload-tags" }, "Tags"),
      tagsInput,
    ),
    progress,
  );
  drop.addEventListener("dragover", (e) => {
    e.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    uploadAll([...e.dataTransfer.files]);
  });
  fileInput.addEventListener("change", () => {
    uploadAll([...fileInput.files]);
    fileInput.value = "";
  });

  async function uploadAll(files) {
    for (const f of files) await upload(f);
    load();
  }

  /** XHR, not fetch: only XHR reports upload progress. */
  function upload(file) {
    return new Promise((resolve) => {
      const bar = h("progress", { max: 100, value: 0, "aria-label": `Uploading ${file.name}` });
      const line = h("div", {}, h("span", {}, file.name), bar);
      progress.append(line);
      const data = new FormData();
      data.append("file", file);
      if (tagsInput.value.trim()) data.append("tags", tagsInput.value.trim());
      const xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/v1/material");
      if (token) xhr.setRequestHeader("authorization", `Bearer ${token}`);
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
      };
      xhr.onload = () => {
        let envelope;
        try {
          envelope = JSON.parse(xhr.responseText);
        } catch {
          envelope = { code: -1, message: `HTTP ${xhr.status}` };
        }
        if (envelope.code === 0) line.replaceChildren(`${file.name}: uploaded`);
        else line.replaceChildren(h("span", { class: "field-error" }, `${file.name}: ${envelope.message}`));
        resolve();
      };
      xhr.onerror = () => {
        line.replaceChildren(h("span", { class: "field-error" }, `${file.name}: the upload broke off`));
        resolve();
      };
      xhr.send(data);
    });
  }

  const { form: filters, add } = filterBar("m", filter, () => load());
  const sel = (pairs) => h("select", {}, options(pairs));
  add("tag", "Tag", h("input", { type: "text", size: 10 }));
  add(
    "type",
    "Type",
    sel([
      ["", "any"],
      ["video", "video"],
      ["image", "image"],
    ]),
  );
  add(
    "used",
    "Used",
    sel([
      ["", "any"],
      ["1", "used"],
      ["0", "unused"],
    ]),
  );

  root.append(
    h("h2", {}, "Materials"),
    drop,
    filters,
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        {},
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ["Name", "Type", "Size", "Tags", "Used by", "Added", ""].map((t) => h("th", {}, t)),
          ),
        ),
        body,
      ),
    ),
    pager,
  );

  async function load() {
    try {
      const r = await api("GET", `/material${query(filter)}`);
      body.replaceChildren(
        ...r.materials.map((m) =>
          h(
            "tr",
            { dataset: { id: String(m.id) } },
            h("td", { title: m.path }, m.name),
            h("td", {}, `${m.type} (${m.format})`),
            h("td", {}, size(m.size)),
            h("td", {}, m.tags.join(", ")),
            h(
              "td",
              {},
              m.used_by.length
                ? m.used_by.map((u) =>
                    h(
                      "div",
                      {},
                      `${u.username ?? u.serial} `,
                      h("a", { href: `#/tasks/${u.task_id}` }, `#${u.task_id}`),
                    ),
                  )
                : "—",
            ),
            h("td", {}, when(m.created_at)),
            h(
              "td",
              {},
              h(
                "button",
                {
                  type: "button",
                  class: "danger",
                  "aria-label": `Delete ${m.name}`,
                  onclick: async () => {
                    if (!confirm(`Forget ${m.name}?${m.uploaded ? " The uploaded copy is deleted." : ""}`))
                      return;
                    try {
                      await api("DELETE", `/material/${m.id}`);
                      load();
                    } catch (e) {
                      notice(e.message);
                    }
                  },
                },
                "Delete",
              ),
            ),
          ),
        ),
      );
      if (!r.materials.length)
        body.append(h("tr", {}, h("td", { colspan: 7, class: "muted" }, "No material.")));
      pagerOf(pager, r, filter, load);
    } catch (e) {
      notice(e.message);
    }
  }
  load();
}

// ---- license ---------------------------------------------------------------------------------------------

function licensePage(root) {
  const panel = h("section", { class: "panel", "aria-label": "License" });
  root.append(h("h2", {}, "License"), panel);
  const show = (l) => {
    const days = l.expires_at ? Math.floor((Date.parse(l.expires_at) - Date.now()) / 86_400_000) : null;
    const expiring = days !== null && days < 30;
    panel.replaceChildren(
      ...[
        h(
          "dl",
          { class: "kv" },
          h("dt", {}, "Plan"),
          h("dd", { id: "plan" }, l.plan_name),
          h("dt", {}, "Phones at once"),
          h("dd", {}, String(l.device_limit)),
          h("dt", {}, "API"),
          h("dd", {}, l.api_enabled ? "enabled" : "not included"),
          h("dt", {}, "Licensee"),
          h("dd", {}, l.licensee ?? "—"),
          h("dt", {}, "Expires"),
          h(
            "dd",
            {},
            l.expires_at ? `${when(l.expires_at)} (${days < 0 ? "expired" : `in ${days} days`})` : "never",
          ),
        ),
        expiring
          ? h(
              "p",
              { class: "notice warning", role: "alert" },
              `The license expires in ${days} days: ask for a new one.`,
            )
          : null,
        l.warning ? h("p", { class: "notice warning", role: "alert" }, l.warning) : null,
        h("p", { class: "muted" }, l.message),
        h(
          "button",
          {
            type: "button",
            onclick: () =>
              api("POST", "/license/reload")
                .then(show)
                .catch((e) => notice(e.message)),
          },
          "Read the license file again",
        ),
      ].filter(Boolean),
    );
  };
  guarded(root, async () => show(await api("GET", "/license/check")));
}

// ---- theme and start -------------------------------------------------------------------------------------

function applyTheme(theme) {
  if (theme === "auto") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
  const btn = document.getElementById("theme");
  btn.textContent = `Theme: ${theme}`;
  btn.setAttribute("aria-label", `Colour theme: ${theme} (change)`);
}

function start() {
  let theme = localStorage.getItem(THEME_KEY) ?? "auto";
  applyTheme(theme);
  document.getElementById("theme").addEventListener("click", () => {
    theme = { auto: "light", light: "dark", dark: "auto" }[theme] ?? "auto";
    localStorage.setItem(THEME_KEY, theme);
    applyTheme(theme);
  });
  window.addEventListener("hashchange", route);
  events.start();
  // the first page already shows its times in the service's zone
  loadServiceTime().finally(route);
}

start();

// Farm: a card per phone (state, model, battery, running task with its step and progress, queue and what its
// next task waits for, accounts) and its screen: on demand, or live as a grid of thumbnails refreshed on the
// operator's cadence, only for cards in view. A thumbnail opens the large view.
import {
  type Account,
  api,
  type Device,
  hasQueryParameter,
  image,
  openapiDocument,
  type Task,
  type TaskDetail,
} from "../api.ts";
import { connectForm } from "../connect.ts";
import { badge, coalesce, errorText, h, nextId, select } from "../dom.ts";
import { isFinished, onEvent } from "../events.ts";
import { farmNodes } from "../farm-nodes.ts";
import { serialText } from "../format.ts";
import { progressOf, progressView, waitingNote } from "../progress.ts";
import { go } from "../router.ts";

const selected = new Set<string>();
/** The screens' refresh, kept while the page is left: "0" is off, else seconds. */
let cadence = "0";
/** The thumbnails' width in pixels: the service scales them down when it knows max_width. */
const THUMB_WIDTH = 240;

interface Card {
  key: string;
  el: HTMLElement;
  takeShot: (thumbnail: boolean) => Promise<void>;
  busy: boolean;
}

export function farmPage(root: HTMLElement) {
  const grid = h("div", { class: "grid", "aria-live": "polite" });
  const count = h("span", { class: "muted" });
  // adb missing or down: no phone behind it can be seen, whatever the grid shows
  const adbBanner = h("p", { class: "notice", role: "alert", id: "adb-banner", hidden: true });
  const startBtn = h("button", {
    type: "button",
    class: "primary",
    onclick: () => go(`#/new?serials=${encodeURIComponent([...selected].join(","))}`),
  });
  const screens = select(
    [
      ["0", "off"],
      ["2", "every 2 s"],
      ["5", "every 5 s"],
      ["15", "every 15 s"],
    ],
    { id: "screens" },
  );
  screens.value = cadence;
  const large = h("dialog", { class: "large-shot", "aria-label": "Phone screen" });
  const nodes = farmNodes();
  let devices: Device[] = [];
  // the document says whether the service scales screenshots (an unknown query parameter may be refused);
  // read once live screens are asked for, not on every visit
  let scales = false;
  const learnScaling = () =>
    openapiDocument()
      .then((doc) => {
        scales = hasQueryParameter(doc, "/device/{serial}/screenshot", "max_width");
      })
      .catch(() => {});

  const updateSelection = () => {
    startBtn.textContent = `New task on ${selected.size} selected`;
    startBtn.disabled = selected.size === 0;
    for (const card of grid.querySelectorAll<HTMLElement>("article.card"))
      card.classList.toggle("selected", selected.has(card.dataset.serial ?? ""));
  };

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
            void render();
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
            void render();
          },
        },
        "Clear selection",
      ),
      startBtn,
      h("span", { class: "spacer" }),
      h("label", { for: "screens" }, "Live screens"),
      screens,
      count,
    ),
    adbBanner,
    ...nodes.elements,
    connectForm(() => void render()),
    grid,
    large,
  );

  // the accounts of every phone, from the account list (a few requests, not one per phone); they change only
  // through tasks (match_accounts, switching) or by hand, so they are read again at most every 10 s
  let accountsBySerial: Map<string, Account[]> | null = null;
  async function loadAccounts() {
    const bySerial = new Map<string, Account[]>();
    for (let page = 1, seen = 0; ; page++) {
      const r = await api("get", "/accounts", { query: { page, page_size: 100 } });
      for (const a of r.accounts) bySerial.set(a.device, [...(bySerial.get(a.device) ?? []), a]);
      seen += r.accounts.length;
      if (seen >= r.total || r.accounts.length === 0) break;
    }
    accountsBySerial = bySerial;
  }

  function openLarge(serial: string) {
    const img = h("img", { alt: `Screen of ${serial}` });
    large.replaceChildren(
      h(
        "div",
        { class: "toolbar" },
        h("strong", {}, serialText(serial)),
        h("span", { class: "spacer" }),
        h("button", { type: "button", onclick: () => large.close() }, "Close"),
      ),
      img,
    );
    large.showModal();
    image("/device/{serial}/screenshot", { path: { serial } })
      .then((src) => {
        img.src = src;
        large.addEventListener("close", () => URL.revokeObjectURL(src), { once: true });
      })
      .catch((e: unknown) => img.replaceWith(h("p", { class: "hint" }, errorText(e))));
  }

  async function cardFor(d: Device): Promise<HTMLElement> {
    const accounts = accountsBySerial?.get(d.serial) ?? [];
    let running: TaskDetail | null = null;
    if (d.running_task_id)
      running = await api("get", "/task/{task_id}", { path: { task_id: d.running_task_id } }).catch(
        () => null,
      );
    // the list is newest first: its last page of one is the oldest pending task, the head of the queue
    let head: Task | null = null;
    if (d.queued_count > 0) {
      const query = { status: 0, serial: d.serial, page: d.queued_count, page_size: 1 };
      head = (await api("get", "/task", { query }).catch(() => null))?.tasks[0] ?? null;
    }
    const lastStep = running?.logs.at(-1);
    const p = running && progressOf(running);
    // an unchanged phone keeps its card (and its screen, and its focus); elapsed time ticks on by itself
    const key = JSON.stringify([
      d,
      nodes.several(),
      accounts,
      running?.id,
      lastStep?.message,
      p?.fraction,
      p?.step,
      head?.waiting_for,
    ]);
    const old = cards.get(d.serial);
    if (old?.key === key) return old.el;
    const checkId = nextId("pick");
    const box = h("input", {
      type: "checkbox",
      id: checkId,
      checked: selected.has(d.serial),
      onchange: (e: Event) => {
        if ((e.target as HTMLInputElement).checked) selected.add(d.serial);
        else selected.delete(d.serial);
        updateSelection();
      },
    });
    const shot = h("button", {
      type: "button",
      class: "shot",
      "aria-label": `Large view of ${d.serial}'s screen`,
      onclick: () => openLarge(d.serial),
    });
    const card: Card = {
      key,
      busy: false,
      el: h(
        "article",
        { class: "card", dataset: { serial: d.serial, state: d.state }, "aria-label": `Phone ${d.serial}` },
        h(
          "header",
          {},
          box,
          h("label", { for: checkId, class: "card-title" }, serialText(d.serial)),
          badge(d.state),
        ),
        shot,
        d.hint && h("p", { class: "hint" }, d.hint),
        h(
          "dl",
          {},
          // on a farm of several PCs, which one holds it (its screenshot and fast UI go through that PC)
          nodes.several() && [h("dt", {}, "PC"), h("dd", { class: "node" }, d.node ?? "—")],
          h("dt", {}, "Model"),
          h("dd", {}, [d.brand, d.model].filter(Boolean).join(" ") || "—"),
          h("dt", {}, "Android"),
          h("dd", {}, d.android_version ?? "—"),
          h("dt", {}, "Battery"),
          h("dd", {}, d.battery === null || d.battery === undefined ? "—" : `${d.battery}%`),
          h("dt", {}, "Running"),
          h(
            "dd",
            { class: "running" },
            running
              ? [
                  h("a", { href: `#/tasks/${running.id}` }, `#${running.id} ${running.script_name}`),
                  lastStep && h("div", { class: "muted step" }, lastStep.message),
                  progressView(running),
                ]
              : "—",
          ),
          h("dt", {}, "Queued"),
          h("dd", { class: "queued" }, String(d.queued_count ?? 0), head && waitingNote(head)),
          h("dt", {}, "Accounts"),
          h(
            "dd",
            {},
            accounts.length
              ? h(
                  "ul",
                  { class: "accounts" },
                  accounts.map((a) =>
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
          h("dt", {}, "Fast UI"),
          fastUiView(d),
        ),
        h(
          "div",
          {},
          h(
            "button",
            { type: "button", onclick: () => card.takeShot(false), disabled: d.state !== "online" },
            "Screenshot",
          ),
        ),
      ),
      async takeShot(thumbnail) {
        if (card.busy) return;
        card.busy = true;
        try {
          const query = thumbnail && scales ? { max_width: THUMB_WIDTH } : {};
          const src = await image("/device/{serial}/screenshot", { path: { serial: d.serial }, query });
          const img = h("img", { src, alt: `Screen of ${d.serial}` });
          // the old picture goes only once the new one can be drawn: no flicker
          await img.decode().catch(() => {});
          const was = shot.querySelector("img");
          if (was) URL.revokeObjectURL(was.src);
          shot.replaceChildren(img);
          card.el.dataset.shots = String(Number(card.el.dataset.shots ?? 0) + 1);
        } catch (e) {
          shot.replaceChildren(h("span", { class: "hint" }, errorText(e)));
        } finally {
          card.busy = false;
        }
      },
    };
    const kept = old?.el.querySelector(".shot img");
    if (kept) shot.replaceChildren(kept);
    if (old?.el.dataset.shots) card.el.dataset.shots = old.el.dataset.shots;
    cards.set(d.serial, card);
    return card.el;
  }

  /**
   * Fast UI on the phone (Appium's UiAutomator2 server instead of `uiautomator dump` and `input`): a switch, and
   * how it goes; while it starts, the card is looked at again every 2 s.
   */
  function fastUiView(d: Device): HTMLElement {
    const id = nextId("fast-ui");
    const note = h("span", { class: "muted" });
    const f = d.fast_ui;
    note.textContent =
      f.state === "fallback"
        ? `fallback: ${f.reason ?? "failed"}`
        : f.enabled || f.state !== "off"
          ? f.state
          : "";
    const toggle = h("input", {
      type: "checkbox",
      id,
      checked: f.enabled,
      onchange: async () => {
        toggle.disabled = true;
        try {
          const now = await api("post", "/device/{serial}/fast-ui", {
            path: { serial: d.serial },
            body: { enabled: toggle.checked },
          });
          note.textContent = now.state;
          recheck(now.state === "starting" ? 30 : 0);
        } catch (e) {
          note.textContent = errorText(e);
          toggle.checked = !toggle.checked;
        } finally {
          toggle.disabled = false;
        }
      },
    });
    if (f.state === "starting") recheck(30);
    return h("dd", { class: "fast-ui" }, h("label", { for: id }, toggle, " on "), note);
  }
  let recheckTimer: ReturnType<typeof setTimeout> | undefined;
  /** While a phone's fast UI starts, the cards are looked at again every 2 s (`times` at most). */
  function recheck(times: number) {
    if (recheckTimer) return;
    if (times <= 0) {
      void render();
      return;
    }
    recheckTimer = setTimeout(async () => {
      recheckTimer = undefined;
      await render();
      if (devices.some((x) => x.fast_ui.state === "starting")) recheck(times - 1);
    }, 2000);
  }

  // live screens: only cards on screen, only when asked, one request per phone at a time and none sooner
  // than the cadence (cards drawn again on an event come back into view without asking again)
  const inView = new Set<string>();
  const shotAt = new Map<string, number>();
  const refreshOne = (serial: string) => {
    const card = cards.get(serial);
    const due = (shotAt.get(serial) ?? 0) + Number(cadence) * 1000 - 250;
    if (cadence === "0" || Date.now() < due || !card?.el.isConnected || card.el.dataset.state !== "online")
      return;
    shotAt.set(serial, Date.now());
    void card.takeShot(true);
  };
  const observer = new IntersectionObserver((entries) => {
    for (const e of entries) {
      const serial = (e.target as HTMLElement).dataset.serial ?? "";
      if (e.isIntersecting) {
        inView.add(serial);
        refreshOne(serial);
      } else inView.delete(serial);
    }
  });
  let screenTimer: ReturnType<typeof setInterval> | undefined;
  let generation = 0;
  const setCadence = () => {
    cadence = screens.value;
    clearInterval(screenTimer);
    shotAt.clear();
    grid.classList.toggle("screens", cadence !== "0");
    const mine = ++generation;
    if (cadence === "0") return;
    // the first thumbnails are already scaled when the service can
    void learnScaling().then(() => {
      if (mine !== generation) return;
      const refresh = () => {
        for (const serial of inView) refreshOne(serial);
      };
      refresh();
      screenTimer = setInterval(refresh, Number(cadence) * 1000);
    });
  };
  screens.addEventListener("change", setCadence);

  const cards = new Map<string, Card>(); // serial → the card drawn, by what it shows
  let rendering = false;
  let again = false;
  async function render() {
    if (rendering) {
      again = true;
      return;
    }
    rendering = true;
    try {
      // the PCs read beside the phones: the cards say which PC holds each when there are several
      const [list] = await Promise.all([
        api("get", "/device"),
        accountsBySerial ?? loadAccounts(),
        nodes.refresh(),
      ]);
      devices = list.devices;
      const adbDown = list.adb.state === "not_installed" || list.adb.state === "unreachable";
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
      grid.replaceChildren(h("p", { class: "notice", role: "alert" }, errorText(e)));
    } finally {
      rendering = false;
      if (again) {
        again = false;
        void render();
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
    if (isFinished(e)) accountsLater();
    later();
  });
  // adb coming back sends no event: look again while the banner shows
  const adbTimer = setInterval(() => !adbBanner.hidden && later(), 5000);
  // heartbeats and the database coming back send no event: the PCs are read again every beat (10 s)
  const nodesTimer = setInterval(() => void nodes.refresh(), 10_000);
  setCadence();
  void render();
  return () => {
    off();
    clearInterval(screenTimer);
    clearInterval(adbTimer);
    clearInterval(nodesTimer);
    observer.disconnect();
  };
}

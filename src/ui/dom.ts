// DOM helpers for the page's modules. Views are built with DOM calls, never from HTML strings, so names and
// captions coming from phones cannot inject markup.

type Handler = (e: Event) => unknown;
/** Attributes of h(): `on…` are listeners, `class` and `dataset` as named, other values set as properties. */
export type Attrs = { [k: `on${string}`]: Handler | undefined } & { [k: string]: unknown };
export type Child = Node | string | number | null | undefined | false | Child[];

/** An element: h("button", { type: "button", onclick }, "text", child…). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v as Handler);
    else if (k === "class") el.className = String(v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k in el && typeof v !== "string") (el as unknown as Record<string, unknown>)[k] = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  el.append(...nodes(children));
  return el;
}

/** Replaces an element's children (falsy ones left out). */
export const fill = (el: Element, ...children: Child[]) => el.replaceChildren(...nodes(children));

function nodes(children: Child[]): (Node | string)[] {
  return children.flatMap((c) =>
    Array.isArray(c)
      ? nodes(c)
      : c === undefined || c === null || c === false
        ? []
        : [c instanceof Node ? c : String(c)],
  );
}

/** `<option>`s from [value, text] pairs. */
export const options = (pairs: readonly (readonly [string, string])[]) =>
  pairs.map(([v, t]) => h("option", { value: v }, t));

/** A <select> of [value, text] pairs. */
export const select = (pairs: readonly (readonly [string, string])[], attrs: Attrs = {}) =>
  h("select", attrs, options(pairs));

let uid = 0;
export const nextId = (prefix: string) => `${prefix}-${++uid}`;

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
}

export function badge(text: string) {
  return h("span", { class: `badge s-${text}` }, text);
}

/** Calls fn once, ms after the first of a burst of calls: a steady stream of events still gets updates. */
export function coalesce(fn: () => unknown, ms: number): () => void {
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

let noticeTimer: ReturnType<typeof setTimeout> | undefined;
export function notice(message: string, kind: "error" | "info" | "warn" = "error") {
  const el = byId("notice");
  el.textContent = message;
  el.className = `notice ${kind === "info" ? "info" : ""}`;
  el.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => (el.hidden = true), kind === "info" ? 4000 : 10000);
}

export const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Runs a page's loader; an error is shown on the page instead of thrown into the console. */
export async function guarded(root: HTMLElement, fn: () => Promise<unknown>) {
  try {
    await fn();
  } catch (e) {
    root.append(h("p", { class: "notice", role: "alert" }, errorText(e)));
  }
}

/** Calls an action; its error goes to the notice. */
export const attempt = (fn: () => Promise<unknown>) => () => fn().catch((e: unknown) => notice(errorText(e)));

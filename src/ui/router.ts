// Pages by the URL's hash: #/farm, #/tasks, #/tasks/12, #/new?serials=…, #/accounts, #/materials, #/license.
import { byId } from "./dom.ts";

export type PageFn = (root: HTMLElement, ctx: { arg?: string; params: URLSearchParams }) => unknown;

const pages = new Map<string, PageFn>();
let leave = () => {};

export const definePages = (all: Record<string, PageFn>) => {
  for (const [name, fn] of Object.entries(all)) pages.set(name, fn);
};

export function route() {
  const [path = "", search = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const [name = "farm", arg] = path.split("/");
  const page = name === "tasks" && arg ? "task" : pages.has(name) ? name : "farm";
  leave();
  leave = () => {};
  for (const a of document.querySelectorAll<HTMLElement>("nav a")) {
    if (a.dataset.page === (page === "task" ? "tasks" : page)) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const root = byId("view");
  root.replaceChildren();
  const cleanup = pages.get(page)?.(root, { arg, params: new URLSearchParams(search) });
  if (typeof cleanup === "function") leave = cleanup as () => void;
}

export function go(hash: string) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

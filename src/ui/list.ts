// A filtered, paged table: its filter bar, the table (each cell labelled with its column, so a narrow screen
// shows rows as cards) and the pager. Tasks, Accounts and Materials are each one of these.
import { type Child, errorText, h, notice } from "./dom.ts";

export interface Column {
  title: Child;
  /** the column's name on a narrow screen's card (default: the title) */
  label?: string;
  /** "opt": left out on a narrow screen */
  class?: string;
}

export interface Paged<Row> {
  rows: Row[];
  total: number;
  page: number;
  page_size: number;
}

export type Filter = Record<string, string | number> & { page: number };

export interface ListOptions<F extends Filter, Row> {
  /** prefix of the filter controls' ids: `${prefix}-${name}` */
  prefix: string;
  filter: F;
  columns: Column[];
  fetch: (filter: F) => Promise<Paged<Row>>;
  row: (r: Row) => HTMLTableRowElement;
  empty: string;
  /** after each load (counts, selection) */
  loaded?: (page: Paged<Row>) => void;
}

export interface List<F extends Filter> {
  filters: HTMLFormElement;
  /** adds a filter control bound to filter[name]: a change sets it, goes back to page 1 and loads */
  addFilter(name: keyof F & string, label: string, control: HTMLInputElement | HTMLSelectElement): void;
  el: HTMLElement;
  body: HTMLTableSectionElement;
  pager: HTMLElement;
  load(): Promise<void>;
  /** a row drawn again in place, its cells labelled as the others */
  label(tr: HTMLTableRowElement): HTMLTableRowElement;
}

export function list<F extends Filter, Row>(o: ListOptions<F, Row>): List<F> {
  const body = h("tbody");
  const pager = h("div", { class: "pager" });
  const filters = h("form", {
    class: "toolbar",
    "aria-label": "Filters",
    onsubmit: (e: Event) => e.preventDefault(),
  });
  const labels = o.columns.map((c) => c.label ?? (typeof c.title === "string" ? c.title : ""));
  const label = (tr: HTMLTableRowElement) => {
    for (const [i, td] of [...tr.cells].entries()) if (labels[i]) td.dataset.label = labels[i];
    return tr;
  };
  const table = h(
    "table",
    { class: "list" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        o.columns.map((c) => h("th", { class: c.class }, c.title)),
      ),
    ),
    body,
  );

  async function load() {
    try {
      const r = await o.fetch(o.filter);
      body.replaceChildren(...r.rows.map((row) => label(o.row(row))));
      if (!r.rows.length)
        body.append(h("tr", {}, h("td", { colspan: o.columns.length, class: "muted" }, o.empty)));
      pagerOf(r);
      o.loaded?.(r);
    } catch (e) {
      notice(errorText(e));
    }
  }

  function pagerOf(r: Paged<Row>) {
    const pages = Math.max(1, Math.ceil(r.total / r.page_size));
    const turn = (by: number) => () => {
      o.filter.page = r.page + by;
      void load();
    };
    pager.replaceChildren(
      h("button", { type: "button", disabled: r.page <= 1, onclick: turn(-1) }, "Previous"),
      h("span", {}, `Page ${r.page} of ${pages} (${r.total})`),
      h("button", { type: "button", disabled: r.page >= pages, onclick: turn(1) }, "Next"),
    );
  }

  return {
    filters,
    addFilter(name, text, control) {
      control.id = `${o.prefix}-${name}`;
      control.name = name;
      control.value = String(o.filter[name]);
      control.addEventListener("change", () => {
        (o.filter as Record<string, string | number>)[name] = control.value.trim();
        o.filter.page = 1;
        void load();
      });
      filters.append(h("label", { for: control.id }, text), control);
    },
    el: h("div", { class: "table-wrap" }, table),
    body,
    pager,
    load,
    label,
  };
}

// Accounts: the accounts the phones hold, filtered; match_accounts on every online phone reads them again.
import { type Account, api, FROM_UI } from "../api.ts";
import { attempt, badge, coalesce, h, notice, select } from "../dom.ts";
import { isFinished, onEvent } from "../events.ts";
import { serialText, when } from "../format.ts";
import { list } from "../list.ts";

export function accountsPage(root: HTMLElement) {
  const filter = { platform: "", device: "", logined: "", status: "", tag: "", page: 1, page_size: 50 };
  const accounts = list({
    prefix: "a",
    filter,
    columns: ["Username", "Platform", "Phone", "Logged in", "Enabled", "Tags", "Last seen"].map((title) => ({
      title,
    })),
    fetch: async (f) => {
      const r = await api("get", "/accounts", { query: f });
      return { ...r, rows: r.accounts };
    },
    row: (a: Account) =>
      h(
        "tr",
        {},
        h("td", {}, `@${a.username}`),
        h("td", {}, a.platform),
        h("td", {}, serialText(a.device), " ", badge(a.device_online ? "online" : "offline")),
        h("td", {}, a.logined_text.replaceAll("_", " ")),
        h("td", {}, a.status_text),
        h("td", {}, a.tags.join(", ")),
        h("td", {}, when(a.last_seen_at)),
      ),
    empty: "No account.",
  });
  const { addFilter } = accounts;
  addFilter(
    "platform",
    "Platform",
    select([
      ["", "any"],
      ["tiktok", "tiktok"],
      ["instagram", "instagram"],
    ]),
  );
  addFilter("device", "Phone", h("input", { type: "text", placeholder: "serial", size: 18 }));
  addFilter(
    "logined",
    "Logged in",
    select([
      ["", "any"],
      ["1", "yes"],
      ["0", "no"],
    ]),
  );
  addFilter(
    "status",
    "Enabled",
    select([
      ["", "any"],
      ["1", "enabled"],
      ["0", "disabled"],
    ]),
  );
  addFilter("tag", "Tag", h("input", { type: "text", size: 10 }));

  const matchAll = attempt(async () => {
    const online = (await api("get", "/device")).devices.filter((d) => d.state === "online");
    if (!online.length) throw new Error("no phone is online");
    const r = await api("post", "/task", {
      body: { serials: online.map((d) => d.serial), script_name: "match_accounts", script_config: {} },
      headers: FROM_UI,
    });
    notice(`match_accounts started on ${r.created_count} phones; the list updates when they finish`, "info");
  });
  root.append(
    h("h2", {}, "Accounts"),
    accounts.filters,
    h(
      "div",
      { class: "toolbar" },
      h(
        "button",
        { type: "button", class: "primary", onclick: matchAll },
        "Run match_accounts on every online phone",
      ),
    ),
    accounts.el,
    accounts.pager,
  );
  const later = coalesce(accounts.load, 1000);
  const off = onEvent((e) => e.type === "task" && isFinished(e) && later());
  void accounts.load();
  return off;
}

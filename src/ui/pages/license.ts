// License: the plan, its limit and expiry; the file read again on demand.
import { api, type Schemas } from "../api.ts";
import { attempt, fill, guarded, h } from "../dom.ts";
import { when } from "../format.ts";

export function licensePage(root: HTMLElement) {
  const panel = h("section", { class: "panel", "aria-label": "License" });
  root.append(h("h2", {}, "License"), panel);
  const show = (l: Schemas["License"]) => {
    const days = l.expires_at ? Math.floor((Date.parse(l.expires_at) - Date.now()) / 86_400_000) : null;
    fill(
      panel,
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
          l.expires_at && days !== null
            ? `${when(l.expires_at)} (${days < 0 ? "expired" : `in ${days} days`})`
            : "never",
        ),
      ),
      days !== null &&
        days < 30 &&
        h(
          "p",
          { class: "notice warning", role: "alert" },
          `The license expires in ${days} days: ask for a new one.`,
        ),
      l.warning && h("p", { class: "notice warning", role: "alert" }, l.warning),
      h("p", { class: "muted" }, l.message),
      h(
        "button",
        { type: "button", onclick: attempt(async () => show(await api("post", "/license/reload"))) },
        "Read the license file again",
      ),
    );
  };
  void guarded(root, async () => show(await api("get", "/license/check")));
}

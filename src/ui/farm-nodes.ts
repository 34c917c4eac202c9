// The farm's PCs and its database, above the phones (issue 22): on a farm of several PCs, each node with its
// state, the phones it runs and its last heartbeat; on any farm, a banner while the database does not answer
// (the phones go on with what they run, new tasks wait until it is back). Both read from GET /health.
import type { Health } from "./api.ts";
import { badge, h } from "./dom.ts";
import { elapsed, when } from "./format.ts";

export function farmNodes() {
  const dbBanner = h("p", { class: "notice", role: "alert", id: "db-banner", hidden: true });
  const list = h("ul", { class: "nodes" });
  const section = h(
    "section",
    { id: "nodes", "aria-labelledby": "nodes-title", hidden: true },
    h("h3", { id: "nodes-title" }, "PCs of the farm"),
    list,
  );

  let several = false;

  function show(health: Health) {
    const down = health.db === "error";
    dbBanner.hidden = !down;
    dbBanner.textContent = down
      ? `The database does not answer: ${health.reason ?? "no reason given"}. ` +
        "Phones go on with the tasks they run; new tasks cannot be stored until it is back."
      : "";
    // one PC is the whole farm: nothing to tell apart
    several = health.nodes.length > 1;
    section.hidden = !several;
    const now = Date.parse(health.time);
    list.replaceChildren(
      ...health.nodes.map((n) =>
        h(
          "li",
          { dataset: { node: n.name, state: n.state }, class: n.state === "stopped" ? "stopped" : "" },
          h("strong", {}, n.name),
          n.this ? h("span", { class: "muted" }, " (this PC)") : "",
          " ",
          badge(n.state),
          ` ${n.phones.length} phone${n.phones.length === 1 ? "" : "s"} running · `,
          h(
            "span",
            { title: when(n.heartbeat_at) },
            `heartbeat ${elapsed((now - Date.parse(n.heartbeat_at)) / 1000)} ago`,
          ),
          h("span", { class: "muted" }, ` · v${n.version}`),
        ),
      ),
    );
  }

  /** Reads /health again; a service that does not answer at all leaves the last view. */
  async function refresh() {
    try {
      const res = await fetch("/health");
      show((await res.json()) as Health);
    } catch {
      // the page's own requests say what is wrong
    }
  }

  /** Whether the farm has several PCs (as last read). */
  return { elements: [dbBanner, section], refresh, several: () => several };
}

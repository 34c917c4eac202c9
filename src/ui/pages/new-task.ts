// New task: a form per script built from the API's own schemas, by phones, by accounts or multi-account, with
// start_time and intervals; a refusal is shown beside the field it names.
import {
  ApiError,
  api,
  type CreateTask,
  FROM_UI,
  openapiDocument,
  scriptNames,
  scriptSchema,
} from "../api.ts";
import { type ConfigForm, configForm } from "../config-form.ts";
import { type Attrs, badge, type Child, errorText, guarded, h, nextId, notice } from "../dom.ts";
import { serialText, serviceTime } from "../format.ts";
import { go } from "../router.ts";
import { taskFilter } from "./tasks.ts";

export function newTaskPage(root: HTMLElement, { params }: { params: URLSearchParams }) {
  const preset = new Set((params.get("serials") ?? "").split(",").filter(Boolean));
  const form = h("form", { class: "task-form", novalidate: true, "aria-label": "New task" });
  const formError = h("p", { class: "notice", role: "alert", hidden: true });
  root.append(h("h2", {}, "New task"), formError, form);
  const fields = new Map<string, { control: HTMLElement; errorEl: HTMLElement }>();
  const register = (path: string, control: HTMLElement, errorEl: HTMLElement) =>
    fields.set(path, { control, errorEl });

  void guarded(root, async () => {
    const [doc, { devices }, { accounts }] = await Promise.all([
      openapiDocument(),
      api("get", "/device"),
      api("get", "/accounts", { query: { page_size: 100 } }),
    ]);

    const scriptSel = h("select", { id: "script", name: "script_name", "aria-describedby": "script-help" });
    for (const n of scriptNames(doc)) scriptSel.append(h("option", { value: n }, n));
    scriptSel.value = params.get("script") ?? "post";
    const scriptHelp = h("p", { class: "help", id: "script-help" });

    const mode = (value: string, label: string) =>
      h(
        "label",
        {},
        h("input", { type: "radio", name: "mode", value, checked: value === "phones", onchange: showMode }),
        label,
      );
    const phoneChoices = h(
      "div",
      { class: "choices", role: "group", "aria-label": "Phones" },
      devices.map((d) =>
        checkbox(
          { value: d.serial, checked: preset.has(d.serial), name: "serials" },
          serialText(d.serial),
          " ",
          badge(d.state),
        ),
      ),
    );
    const accountChoices = h(
      "div",
      { class: "choices", role: "group", "aria-label": "Accounts" },
      accounts.length
        ? accounts.map((a) =>
            checkbox(
              {
                value: `@${a.username}`,
                name: "usernames",
                dataset: { platform: a.platform, device: a.device },
              },
              `@${a.username} `,
              h("span", { class: "muted" }, `${a.platform} on ${a.device}`),
            ),
          )
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
    const modeNow = () => form.querySelector<HTMLInputElement>("input[name=mode]:checked")?.value ?? "phones";
    function showMode() {
      phonesBox.hidden = modeNow() === "accounts";
      accountsBox.hidden = modeNow() !== "accounts";
    }
    register("/serials", phoneChoices, targetsError);
    register("/usernames", accountChoices, targetsError);
    register("/enable_multi_account", phoneChoices, targetsError);
    const platformErr = h("p", { class: "field-error", id: "platform-error", hidden: true });
    register("/platform", platformSel, platformErr);

    const checked = (box: HTMLElement) => [...box.querySelectorAll<HTMLInputElement>("input:checked")];
    /** The platform the chosen targets are on, when it is known (chosen, or every chosen account's). */
    const platformNow = (): string | null => {
      if (platformSel.value) return platformSel.value;
      if (modeNow() !== "accounts") return null;
      const on = new Set(checked(accountChoices).map((i) => i.dataset.platform));
      return on.size === 1 ? ([...on][0] ?? null) : null;
    };

    const numberField = (name: string, label: string, attrs: Record<string, unknown>, help: string) => {
      const id = `f-${name}`;
      const err = h("p", { class: "field-error", id: `${id}-error`, hidden: true });
      const control = h("input", { id, name, "aria-describedby": `${id}-help ${id}-error`, ...attrs });
      register(`/${name}`, control, err);
      return h(
        "div",
        { class: "field", dataset: { path: `/${name}` } },
        h("label", { for: id }, label),
        control,
        h("p", { class: "help", id: `${id}-help` }, help),
        err,
      );
    };

    const configBox = h("fieldset", {}, h("legend", {}, "script_config"));
    let config: ConfigForm | undefined;
    const showConfig = () => {
      for (const key of [...fields.keys()]) if (key.startsWith("/script_config")) fields.delete(key);
      const schema = scriptSchema(doc, scriptSel.value) ?? {};
      scriptHelp.textContent = schema.description ?? "";
      config = configForm(schema, "/script_config", register);
      configBox.replaceChildren(h("legend", {}, "Settings of ", scriptSel.value), config.el);
      if (!Object.keys(schema.properties ?? {}).length)
        configBox.append(h("p", { class: "muted" }, "No settings."));
      config.update(platformNow());
    };
    scriptSel.addEventListener("change", showConfig);
    for (const type of ["change", "input"]) form.addEventListener(type, () => config?.update(platformNow()));

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

    /** Puts a message beside the field the path names (its nearest registered ancestor). */
    function showError(path: string, message: string) {
      let p = path;
      while (p && !fields.has(p)) p = p.slice(0, p.lastIndexOf("/"));
      const f = fields.get(p);
      if (!f) return false;
      f.errorEl.textContent = message;
      f.errorEl.hidden = false;
      f.control.setAttribute("aria-invalid", "true");
      f.control.focus();
      return true;
    }

    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      for (const { control, errorEl } of fields.values()) {
        errorEl.hidden = true;
        control.removeAttribute("aria-invalid");
      }
      formError.hidden = true;
      const m = modeNow();
      const body: Record<string, unknown> = {
        script_name: scriptSel.value,
        script_config: config?.read() ?? {},
      };
      const targets = checked(m === "accounts" ? accountChoices : phoneChoices).map((i) => i.value);
      body[m === "accounts" ? "usernames" : "serials"] = targets;
      if (m === "multi") body.enable_multi_account = true;
      if (platformSel.value) body.platform = platformSel.value;
      const start = form.querySelector<HTMLInputElement>("#f-start_time")?.value;
      if (start) body.start_time = start;
      for (const n of ["min_interval", "max_interval"]) {
        const v = form.querySelector<HTMLInputElement>(`#f-${n}`)?.value ?? "";
        if (v !== "") body[n] = Number(v);
      }
      if (targets.length === 0) {
        showError("/serials", m === "accounts" ? "pick at least one account" : "pick at least one phone");
        return;
      }
      submit.disabled = true;
      try {
        // the form is built from the same schemas the API checks the body with
        const r = await api("post", "/task", { body: body as CreateTask, headers: FROM_UI });
        // what could not be checked at creation is said with the tasks created
        const warned = r.warnings.length > 0;
        notice(
          `${r.created_count} task${r.created_count === 1 ? "" : "s"} created: #${r.task_ids.join(", #")}` +
            (warned ? `; ${r.warnings.join("; ")}` : ""),
          warned ? "warn" : "info",
        );
        Object.assign(taskFilter, { status: "", serial: "", script_name: "", source: "", page: 1 });
        go("#/tasks");
      } catch (err) {
        const details = (err instanceof ApiError && err.data?.errors) || [];
        let shown = 0;
        for (const d of details) if (showError(d.path, d.message)) shown++;
        if (shown === 0 || shown < details.length) {
          formError.textContent = errorText(err);
          formError.hidden = false;
        }
      } finally {
        submit.disabled = false;
      }
    });
  });
}

/** A labelled checkbox of a list (its id made here, so the label names it). */
function checkbox(input: Attrs, ...label: Child[]): HTMLLabelElement {
  const id = nextId("pick");
  return h("label", { for: id }, h("input", { type: "checkbox", id, ...input }), ...label);
}

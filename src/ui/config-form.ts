// The controls of a script's config, built from its schema in the OpenAPI document: each field with its plain
// label (`title`), one-line help (`description`) and API name (small, for people who script); choices by
// their meaning; a synonym left out (its canonical field is the box); a field shown only while another has
// one of some values (`x-show-when`) or while the chosen targets are on its platform (`x-platforms`).
// Whatever the schema leaves out falls back: no title → the API name is the label.
import type { JsonSchema } from "./api.ts";
import { h, nextId } from "./dom.ts";

export type Register = (path: string, control: HTMLElement, errorEl: HTMLElement) => void;

export interface ConfigForm {
  el: HTMLElement;
  /** the config: fields left at their default or hidden are left out, so the task keeps only what was chosen */
  read(keepAll?: boolean): Record<string, unknown>;
  /** shows and hides fields for the values chosen and the platform of the targets (null: not known) */
  update(platform: string | null): void;
}

/** The document says a top-level default in words ("…; default 30"): read it back. */
function defaultOf(schema: JsonSchema): unknown {
  if ("default" in schema) return schema.default;
  const m = /(?:^|; )default (.+)$/.exec(schema.description ?? "");
  if (!m?.[1]) return undefined;
  try {
    return JSON.parse(m[1]);
  } catch {
    return undefined;
  }
}

const helpOf = (schema: JsonSchema) => (schema.description ?? "").replace(/(?:^|; )default .+$/, "").trim();

interface Field {
  name: string;
  el: HTMLElement;
  read: () => unknown;
  schema: JsonSchema;
}

export function configForm(schema: JsonSchema, path: string, register: Register): ConfigForm {
  const wrap = h("div");
  const required = new Set(schema.required ?? []);
  const fields: Field[] = [];
  const readers: ((keepAll: boolean) => [string, unknown] | null)[] = [];
  const nested: ConfigForm[] = [];

  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    // another spelling of a field shown: one box, the canonical one
    if (prop["x-synonym-of"] && schema.properties?.[prop["x-synonym-of"]]) continue;
    const fieldPath = `${path}/${name}`;
    const id = nextId("cfg");
    const def = defaultOf(prop);
    const help = helpOf(prop);
    const label = prop.title ?? name;
    const apiName = h("code", { class: "api-name" }, name);
    const helpEl = help ? h("p", { class: "help", id: `${id}-help` }, help) : null;
    if (prop.type === "object") {
      const inner = configForm(prop, fieldPath, register);
      nested.push(inner);
      const el = h(
        "fieldset",
        { dataset: { path: fieldPath } },
        h("legend", {}, label, " ", apiName),
        helpEl,
        inner.el,
      );
      wrap.append(el);
      // sent whole (its schema requires every field), and only when something in it was changed
      const read = () => (Object.keys(inner.read()).length ? inner.read(true) : undefined);
      fields.push({ name, el, read, schema: prop });
      readers.push(() => {
        const v = el.hidden ? undefined : read();
        return v === undefined ? null : [name, v];
      });
      continue;
    }
    const errorEl = h("p", { class: "field-error", id: `${id}-error`, hidden: true });
    const choices = (prop.anyOf ?? []).filter((v) => "const" in v);
    let control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
    let read: () => unknown;
    if (choices.length) {
      const sel = h(
        "select",
        {},
        choices.map((c) => h("option", { value: JSON.stringify(c.const) }, c.title ?? String(c.const))),
      );
      if (def !== undefined) sel.value = JSON.stringify(def);
      read = () => JSON.parse(sel.value);
      // the meaning is the option; the raw value is shown beside the API name
      const shown = () => {
        apiName.textContent = `${name}: ${sel.value}`;
      };
      sel.addEventListener("change", shown);
      shown();
      control = sel;
    } else if (prop.type === "boolean") {
      const box = h("input", { type: "checkbox", checked: def === true });
      read = () => box.checked;
      control = box;
    } else if (prop.type === "integer" || prop.type === "number") {
      const input = h("input", {
        type: "number",
        min: prop.minimum,
        max: prop.maximum,
        step: prop.type === "integer" ? 1 : "any",
        value: def ?? "",
      });
      read = () => (input.value === "" ? undefined : Number(input.value));
      control = input;
    } else if (prop.type === "array") {
      const area = h("textarea", { rows: 3, placeholder: "one per line" });
      area.value = Array.isArray(def) ? def.join("\n") : "";
      read = () =>
        area.value
          .split("\n")
          .map((s) => s.trim())
          .filter(Boolean);
      control = area;
    } else {
      const long = /caption|comment|topic|prompt|target|content/.test(name);
      const text = long ? h("textarea", { rows: 3 }) : h("input", { type: "text" });
      text.value = typeof def === "string" ? def : "";
      read = () => text.value;
      control = text;
    }
    control.id = id;
    control.name = name;
    control.setAttribute("aria-describedby", helpEl ? `${id}-help ${id}-error` : `${id}-error`);
    if (required.has(name) && def === undefined) control.required = true;
    const isCheck = prop.type === "boolean";
    const el = h(
      "div",
      { class: `field${isCheck ? " check" : ""}`, dataset: { path: fieldPath, name } },
      isCheck
        ? h("label", { for: id, class: "check-label" }, control, h("span", {}, label), " ", apiName)
        : [h("label", { for: id }, h("span", {}, label), " ", apiName), control],
      helpEl,
      errorEl,
    );
    wrap.append(el);
    register(fieldPath, control, errorEl);
    fields.push({ name, el, read, schema: prop });
    readers.push((keepAll) => {
      if (el.hidden) return null;
      const v = read();
      if (v === undefined) return null;
      if (!keepAll && !required.has(name) && JSON.stringify(v) === JSON.stringify(def)) return null;
      return [name, v];
    });
  }

  const values = () => new Map(fields.map((f) => [f.name, f.read()]));
  return {
    el: wrap,
    read: (keepAll = false) =>
      Object.fromEntries(readers.map((r) => r(keepAll)).filter((e): e is [string, unknown] => e !== null)),
    update(platform) {
      const now = values();
      for (const f of fields) {
        const when = Object.entries(f.schema["x-show-when"] ?? {}).every(([other, allowed]) =>
          allowed.some((v) => JSON.stringify(v) === JSON.stringify(now.get(other))),
        );
        const platforms = f.schema["x-platforms"];
        const onPlatform = !platform || !platforms || platforms.includes(platform);
        f.el.hidden = !(when && onPlatform);
      }
      for (const inner of nested) inner.update(platform);
    },
  };
}

/** View trees for the simulated screens and their `uiautomator dump` XML form. */

export type Rect = [number, number, number, number];

/** A node as screens describe it: bounds in the screen's reference size, short class and id names. */
export interface NodeSpec {
  c?: string;
  id?: string;
  text?: string;
  desc?: string;
  b: Rect;
  /** Action name performed when tapped; makes the node clickable. */
  tap?: string;
  clickable?: boolean;
  enabled?: boolean;
  checkable?: boolean;
  checked?: boolean;
  selected?: boolean;
  focusable?: boolean;
  scrollable?: boolean;
  longClickable?: boolean;
  password?: boolean;
  /** Editable text field bound to the app's field of that name (the hint shows when empty). */
  field?: string;
  hint?: string;
  pkg?: string;
  children?: NodeSpec[];
}

export interface UiNode {
  cls: string;
  resourceId: string;
  text: string;
  desc: string;
  pkg: string;
  checkable: boolean;
  checked: boolean;
  clickable: boolean;
  enabled: boolean;
  focusable: boolean;
  focused: boolean;
  scrollable: boolean;
  longClickable: boolean;
  password: boolean;
  selected: boolean;
  hint: string;
  bounds: Rect;
  action?: string;
  field?: string;
  children: UiNode[];
}

const WIDGETS = new Set([
  "TextView",
  "Button",
  "ImageView",
  "ImageButton",
  "EditText",
  "FrameLayout",
  "LinearLayout",
  "RelativeLayout",
  "CheckBox",
  "ScrollView",
  "HorizontalScrollView",
  "GridView",
  "ToggleButton",
  "AutoCompleteTextView",
  "RadioButton",
  "RadioGroup",
  "ProgressBar",
  "Switch",
  "TabWidget",
]);

export function className(c: string | undefined): string {
  if (!c) return "android.widget.FrameLayout";
  if (c.includes(".")) return c;
  if (WIDGETS.has(c)) return `android.widget.${c}`;
  if (c === "View" || c === "ViewGroup") return `android.view.${c}`;
  if (c === "RecyclerView") return "androidx.recyclerview.widget.RecyclerView";
  if (c === "ViewPager") return "androidx.viewpager.widget.ViewPager";
  return `android.widget.${c}`;
}

export interface BuildContext {
  pkg: string;
  ref: { width: number; height: number };
  screen: { width: number; height: number };
  fields: Record<string, string>;
  focused: string | null;
}

export function buildNode(spec: NodeSpec, ctx: BuildContext): UiNode {
  const sx = ctx.screen.width / ctx.ref.width;
  const sy = ctx.screen.height / ctx.ref.height;
  const pkg = spec.pkg ?? ctx.pkg;
  const id = spec.id ? (spec.id.includes(":") ? spec.id : `${pkg}:id/${spec.id}`) : "";
  const value = spec.field !== undefined ? (ctx.fields[spec.field] ?? "") : undefined;
  const isField = spec.field !== undefined;
  return {
    cls: className(spec.c ?? (isField ? "EditText" : undefined)),
    resourceId: id,
    text: isField ? value || spec.hint || "" : (spec.text ?? ""),
    desc: spec.desc ?? "",
    pkg,
    checkable: spec.checkable ?? false,
    checked: spec.checked ?? false,
    clickable: spec.clickable ?? (spec.tap !== undefined || isField),
    enabled: spec.enabled ?? true,
    focusable: spec.focusable ?? (isField || spec.tap !== undefined),
    focused: isField && ctx.focused === spec.field,
    scrollable: spec.scrollable ?? false,
    longClickable: spec.longClickable ?? isField,
    password: spec.password ?? false,
    selected: spec.selected ?? false,
    hint: isField ? (spec.hint ?? "") : "",
    bounds: [
      Math.round(spec.b[0] * sx),
      Math.round(spec.b[1] * sy),
      Math.round(spec.b[2] * sx),
      Math.round(spec.b[3] * sy),
    ],
    action: spec.tap ?? (isField ? `focus:${spec.field}` : undefined),
    field: spec.field,
    children: (spec.children ?? []).map((c) => buildNode(c, ctx)),
  };
}

/** The clickable, enabled node that receives a tap at (x, y): the last one in drawing order. */
export function hitTest(root: UiNode, x: number, y: number): UiNode | null {
  let found: UiNode | null = null;
  const visit = (n: UiNode) => {
    const [x1, y1, x2, y2] = n.bounds;
    if (x < x1 || x >= x2 || y < y1 || y >= y2) return;
    if (n.clickable && n.enabled) found = n;
    for (const c of n.children) visit(c);
  };
  visit(root);
  return found;
}

export function* walk(root: UiNode): Generator<UiNode> {
  yield root;
  for (const c of root.children) yield* walk(c);
}

export function escapeXml(s: string): string {
  let out = "";
  for (const ch of s) {
    const code = ch.codePointAt(0) as number;
    if (ch === "&") out += "&amp;";
    else if (ch === "<") out += "&lt;";
    else if (ch === ">") out += "&gt;";
    else if (ch === '"') out += "&quot;";
    else if (code < 0x20 && ch !== "\n" && ch !== "\t") out += `&#${code};`;
    else if (ch === "\n") out += "&#10;";
    else out += ch;
  }
  return out;
}

function nodeXml(n: UiNode, index: number, extended: boolean, order: { n: number }): string {
  const b = `[${n.bounds[0]},${n.bounds[1]}][${n.bounds[2]},${n.bounds[3]}]`;
  let attrs =
    `index="${index}" text="${escapeXml(n.text)}" resource-id="${escapeXml(n.resourceId)}" class="${n.cls}" ` +
    `package="${escapeXml(n.pkg)}" content-desc="${escapeXml(n.desc)}" checkable="${n.checkable}" ` +
    `checked="${n.checked}" clickable="${n.clickable}" enabled="${n.enabled}" focusable="${n.focusable}" ` +
    `focused="${n.focused}" scrollable="${n.scrollable}" long-clickable="${n.longClickable}" ` +
    `password="${n.password}" selected="${n.selected}" bounds="${b}"`;
  if (extended) attrs += ` drawing-order="${order.n++}" hint="${escapeXml(n.hint)}"`;
  if (n.children.length === 0) return `<node ${attrs} />`;
  return `<node ${attrs}>${n.children.map((c, i) => nodeXml(c, i, extended, order)).join("")}</node>`;
}

/** `uiautomator dump` form: one line, `<hierarchy rotation="0"><node …>`. */
export function toXml(roots: UiNode[], extended: boolean): string {
  const order = { n: 0 };
  const body = roots.map((r, i) => nodeXml(r, i, extended, order)).join("");
  return `<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation="0">${body}</hierarchy>`;
}

/**
 * Appium UiAutomator2 server's page source form (GET /session/:id/source): indented, the class name as each
 * element's tag, a `hierarchy` root carrying the display's rotation and size, and `displayed` on every node.
 */
export function toAppiumXml(roots: UiNode[], width: number, height: number): string {
  const lines: string[] = [];
  const visit = (n: UiNode, index: number, depth: number) => {
    const pad = "  ".repeat(depth);
    const b = `[${n.bounds[0]},${n.bounds[1]}][${n.bounds[2]},${n.bounds[3]}]`;
    const tag = n.cls.replace(/[$@#&]/g, ".") || "android.view.View";
    const attrs =
      `index="${index}" package="${escapeXml(n.pkg)}" class="${n.cls}" text="${escapeXml(n.text)}" ` +
      `resource-id="${escapeXml(n.resourceId)}" content-desc="${escapeXml(n.desc)}" checkable="${n.checkable}" ` +
      `checked="${n.checked}" clickable="${n.clickable}" enabled="${n.enabled}" focusable="${n.focusable}" ` +
      `focused="${n.focused}" long-clickable="${n.longClickable}" password="${n.password}" ` +
      `scrollable="${n.scrollable}" selected="${n.selected}" bounds="${b}" displayed="true"` +
      (n.hint ? ` hint="${escapeXml(n.hint)}"` : "");
    if (n.children.length === 0) {
      lines.push(`${pad}<${tag} ${attrs} />`);
      return;
    }
    lines.push(`${pad}<${tag} ${attrs}>`);
    n.children.forEach((c, i) => {
      visit(c, i, depth + 1);
    });
    lines.push(`${pad}</${tag}>`);
  };
  lines.push(`<hierarchy index="0" class="hierarchy" rotation="0" width="${width}" height="${height}">`);
  roots.forEach((r, i) => {
    visit(r, i, 1);
  });
  lines.push("</hierarchy>");
  return `<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n${lines.join("\n")}\n`;
}

/** A tab of a bottom bar: its id, its description, and the key its tap action carries. */
export interface Tab {
  id: string;
  desc: string;
  key: string;
}

/** A bar of equal-width tabs; tapping one performs `ACTION:KEY`; the current one is selected. */
export function bottomBar(
  bar: { id: string; b: Rect; action: string },
  tabs: Tab[],
  current: string,
  content: (tab: Tab, x: number, width: number) => NodeSpec[],
): NodeSpec {
  const [x1, top, x2, bottom] = bar.b;
  const w = (x2 - x1) / tabs.length;
  return {
    c: "LinearLayout",
    id: bar.id,
    b: bar.b,
    children: tabs.map((tab, i) => ({
      c: "FrameLayout",
      id: tab.id,
      desc: tab.desc,
      b: [x1 + i * w, top, x1 + (i + 1) * w, bottom],
      tap: `${bar.action}:${tab.key}`,
      selected: tab.key === current,
      children: content(tab, x1 + i * w, w),
    })),
  };
}

/**
 * The screen as `uiautomator dump` describes it, parsed into a tree of `UiNode`s by a small XML
 * reader (elements, attributes, entities, comments; text content is ignored — uiautomator puts
 * everything in attributes).
 */

export interface Bounds {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface UiNode {
  text: string;
  resourceId: string;
  className: string;
  packageName: string;
  contentDesc: string;
  clickable: boolean;
  enabled: boolean;
  focused: boolean;
  selected: boolean;
  checked: boolean;
  scrollable: boolean;
  bounds: Bounds;
  children: UiNode[];
}

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  if (!s.includes("&")) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, name: string) => {
    if (name.startsWith("#x")) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith("#")) return String.fromCodePoint(Number.parseInt(name.slice(1), 10));
    return ENTITIES[name] ?? whole;
  });
}

export class XmlError extends Error {
  override name = "XmlError";
}

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const SPACE = /\s*/y;
const ATTR_VALUE = /"([^"]*)"|'([^']*)'/y;

/** Parses an XML document and returns its root element. */
export function parseXml(xml: string): XmlElement {
  let pos = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;

  const fail = (what: string): never => {
    throw new XmlError(`bad XML at offset ${pos}: ${what}`);
  };
  const skipSpace = () => {
    SPACE.lastIndex = pos;
    SPACE.exec(xml);
    pos = SPACE.lastIndex;
  };
  const readName = (): string => {
    NAME.lastIndex = pos;
    const m = NAME.exec(xml);
    if (!m) return fail("expected a name");
    pos = NAME.lastIndex;
    return m[0];
  };
  const skipPast = (end: string) => {
    const i = xml.indexOf(end, pos);
    if (i < 0) fail(`missing ${end}`);
    pos = i + end.length;
  };

  while (pos < xml.length) {
    const lt = xml.indexOf("<", pos);
    if (lt < 0) break; // trailing text
    pos = lt;
    if (xml.startsWith("<?", pos)) {
      skipPast("?>");
    } else if (xml.startsWith("<!--", pos)) {
      skipPast("-->");
    } else if (xml.startsWith("<![CDATA[", pos)) {
      skipPast("]]>");
    } else if (xml.startsWith("<!", pos)) {
      skipPast(">");
    } else if (xml.startsWith("</", pos)) {
      pos += 2;
      const name = readName();
      skipSpace();
      if (xml[pos] !== ">") fail("expected >");
      pos += 1;
      const open = stack.pop();
      if (!open || open.name !== name) fail(`unexpected </${name}>`);
    } else {
      pos += 1;
      const el: XmlElement = { name: readName(), attributes: {}, children: [] };
      for (;;) {
        skipSpace();
        const c = xml[pos];
        if (c === undefined) fail("unterminated tag");
        if (c === ">" || c === "/") break;
        const attr = readName();
        skipSpace();
        if (xml[pos] !== "=") fail(`expected = after ${attr}`);
        pos += 1;
        skipSpace();
        ATTR_VALUE.lastIndex = pos;
        const m = ATTR_VALUE.exec(xml);
        if (!m) fail(`expected a quoted value for ${attr}`);
        pos = ATTR_VALUE.lastIndex;
        el.attributes[attr] = decodeEntities(m?.[1] ?? m?.[2] ?? "");
      }
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(el);
      else if (root) fail("more than one root element");
      else root = el;
      if (xml[pos] === "/") {
        if (xml[pos + 1] !== ">") fail("expected />");
        pos += 2;
      } else {
        pos += 1;
        stack.push(el);
      }
    }
  }
  if (stack.length > 0) throw new XmlError(`unclosed <${stack[stack.length - 1]?.name}>`);
  if (!root) throw new XmlError("no root element");
  return root;
}

const BOUNDS = /^\[(-?\d+),(-?\d+)\]\[(-?\d+),(-?\d+)\]$/;

export function parseBounds(s: string | undefined): Bounds {
  const m = s ? BOUNDS.exec(s.trim()) : null;
  if (!m) return { x1: 0, y1: 0, x2: 0, y2: 0 };
  return { x1: Number(m[1]), y1: Number(m[2]), x2: Number(m[3]), y2: Number(m[4]) };
}

/** Both dump forms: `uiautomator dump` (<node>) and Appium's page source (the class name is the tag). */
function toUiNode(el: XmlElement): UiNode {
  const a = el.attributes;
  const flag = (name: string) => a[name] === "true";
  return {
    text: a.text ?? "",
    resourceId: a["resource-id"] ?? "",
    className: a.class ?? (el.name === "node" ? "" : el.name),
    packageName: a.package ?? "",
    contentDesc: a["content-desc"] ?? "",
    clickable: flag("clickable"),
    enabled: flag("enabled"),
    focused: flag("focused"),
    selected: flag("selected"),
    checked: flag("checked"),
    scrollable: flag("scrollable"),
    bounds: parseBounds(a.bounds),
    children: el.children.map(toUiNode),
  };
}

/**
 * Parses a `uiautomator dump` into a tree. The root stands for `<hierarchy>` (className
 * "hierarchy", bounds spanning its children); its children are the windows' top nodes.
 */
export function parseUiDump(xml: string): UiNode {
  const start = xml.indexOf("<");
  if (start < 0) throw new XmlError("UI dump is not XML");
  const root = toUiNode(parseXml(xml.slice(start)));
  if (root.className === "hierarchy" && root.children.length > 0) {
    const b = root.children.map((c) => c.bounds);
    root.bounds = {
      x1: Math.min(...b.map((x) => x.x1)),
      y1: Math.min(...b.map((x) => x.y1)),
      x2: Math.max(...b.map((x) => x.x2)),
      y2: Math.max(...b.map((x) => x.y2)),
    };
  }
  return root;
}

/** Every node of the tree, depth first, root included. */
export function* walkUi(node: UiNode): Generator<UiNode> {
  yield node;
  for (const child of node.children) yield* walkUi(child);
}

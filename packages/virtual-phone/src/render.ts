/**
 * The screen as pixels, drawn from the view roots `uiautomator dump` shows: what `screencap` returns. Each app in
 * its colours (TikTok dark, Instagram white, the launcher's wallpaper); texts in a built-in 5×7 font; buttons
 * filled, fields outlined, images as rectangles tinted by what they show, ticks, selections and progress; a
 * dialog's window dims what is under it. The same tree always gives the same pixels (nothing here reads a clock).
 */
import type { Rect, UiNode } from "./apps/ui.ts";
import type { Canvas } from "./png.ts";

type Rgb = [number, number, number];

interface Theme {
  /** The window's background: one colour, or a vertical gradient. */
  background: Rgb | [Rgb, Rgb];
  text: Rgb;
  muted: Rgb;
  accent: Rgb;
  onAccent: Rgb;
  /** Bottom sheets and dialogs. */
  surface: Rgb;
  line: Rgb;
}

const WHITE: Rgb = [255, 255, 255];
const TIKTOK: Theme = {
  background: [18, 18, 18],
  text: WHITE,
  muted: [150, 150, 155],
  accent: [254, 44, 85],
  onAccent: WHITE,
  surface: [37, 37, 41],
  line: [90, 90, 96],
};
const INSTAGRAM: Theme = {
  background: WHITE,
  text: [38, 38, 38],
  muted: [142, 142, 142],
  accent: [0, 149, 246],
  onAccent: WHITE,
  surface: [239, 239, 239],
  line: [219, 219, 219],
};
const LAUNCHER: Theme = {
  background: [
    [30, 60, 120],
    [120, 60, 140],
  ],
  text: WHITE,
  muted: [200, 205, 225],
  accent: [138, 180, 248],
  onAccent: [20, 30, 60],
  surface: [242, 242, 247],
  line: [200, 200, 210],
};
/** Android's own windows (permission dialogs, the share sheet) and apps not simulated in detail. */
const SYSTEM: Theme = {
  background: [250, 250, 252],
  text: [28, 27, 31],
  muted: [120, 120, 128],
  accent: [26, 115, 232],
  onAccent: WHITE,
  surface: [242, 242, 247],
  line: [196, 196, 204],
};
/** Dialogs are light cards whatever the app (as TikTok's and Instagram's are), with the app's accent. */
const dialogOf = (t: Theme): Theme => ({
  ...SYSTEM,
  accent: t.accent,
  onAccent: t.onAccent,
  background: SYSTEM.surface,
});

const THEMES: Record<string, Theme> = {
  "com.zhiliaoapp.musically": TIKTOK,
  "com.ss.android.ugc.trill": TIKTOK,
  "com.instagram.android": INSTAGRAM,
  "com.google.android.apps.nexuslauncher": LAUNCHER,
};

/** Draws the roots onto the canvas: the first is the app's window, later ones (dialogs) sit on top of it. */
export function renderScreen(canvas: Canvas, roots: UiNode[]): void {
  roots.forEach((root, i) => {
    const theme = THEMES[root.pkg] ?? SYSTEM;
    const dialog = isDialogWindow(root);
    if (i > 0 || dialog) {
      // a window on top of another: what is under it dims (a system dialog alone dims what it covers)
      if (i === 0) paintBackground(canvas, theme);
      dim(canvas);
    } else paintBackground(canvas, theme);
    const frame = { canvas, screenH: canvas.height, screenW: canvas.width };
    if (dialog) for (const child of root.children) drawCard(frame, child, dialogOf(theme));
    else drawNode(frame, root, theme);
  });
}

interface Frame {
  canvas: Canvas;
  screenW: number;
  screenH: number;
}

/** A window whose content covers well under the whole screen: a dialog or a share sheet. */
function isDialogWindow(root: UiNode): boolean {
  const rootArea = area(root.bounds);
  return (
    root.children.length > 0 && !root.text && root.children.every((c) => area(c.bounds) < rootArea * 0.8)
  );
}

function drawCard(f: Frame, card: UiNode, theme: Theme): void {
  const [x1, y1, x2, y2] = card.bounds;
  roundRect(f.canvas, x1, y1, x2, y2, theme.surface, 24);
  drawNode(f, card, theme, true);
}

const area = ([x1, y1, x2, y2]: Rect) => Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
const shortClass = (cls: string) => cls.slice(cls.lastIndexOf(".") + 1);

function drawNode(f: Frame, n: UiNode, theme: Theme, skipSelf = false): void {
  if (!skipSelf) drawSelf(f, n, theme);
  for (const c of n.children) drawNode(f, c, theme);
}

function drawSelf(f: Frame, n: UiNode, t: Theme): void {
  const c = f.canvas;
  const [x1, y1, x2, y2] = n.bounds;
  const w = x2 - x1;
  const h = y2 - y1;
  if (w <= 0 || h <= 0) return;
  const cls = shortClass(n.cls);
  const leaf = n.children.length === 0;
  const label = n.text || (leaf ? n.desc : "");
  if (isSheet(f, n)) {
    roundRect(c, x1, y1, x2, y2, t.surface, 28);
    c.fillRect(x1 + w / 2 - 50, y1 + 14, x1 + w / 2 + 50, y1 + 22, t.line);
  } else if (cls === "EditText" || cls === "AutoCompleteTextView") {
    const showsHint = n.hint !== "" && n.text === n.hint;
    roundRect(c, x1, y1, x2, y2, n.focused ? t.accent : t.line, 12);
    roundRect(c, x1 + 3, y1 + 3, x2 - 3, y2 - 3, t === TIKTOK ? t.surface : WHITE, 10);
    const end = drawText(c, n.text, n.bounds, showsHint ? t.muted : t.text, "left");
    if (n.focused) c.fillRect(end.x + 2, end.y - 2, end.x + 6, end.y + end.h + 2, t.accent);
    return;
  } else if (cls === "ProgressBar" || cls === "SeekBar") {
    const share = percentIn(`${n.text} ${n.desc}`) ?? 50;
    const midY = y1 + h / 2;
    c.fillRect(x1, midY - 4, x2, midY + 4, t.line);
    c.fillRect(x1, midY - 4, x1 + (w * share) / 100, midY + 4, t.accent);
    if (cls === "SeekBar")
      roundRect(
        c,
        x1 + (w * share) / 100 - 14,
        midY - 14,
        x1 + (w * share) / 100 + 14,
        midY + 14,
        t.accent,
        10,
      );
    return;
  } else if (n.checkable || cls === "CheckBox" || cls === "Switch" || cls === "RadioButton") {
    const s = Math.min(h, w, 72) * 0.8;
    const bx = label ? x1 + 8 : x1 + (w - s) / 2;
    const by = y1 + (h - s) / 2;
    if (n.checked) {
      roundRect(c, bx, by, bx + s, by + s, t.accent, s / 5);
      tick(c, bx, by, s, t.onAccent);
    } else {
      roundRect(c, bx, by, bx + s, by + s, t.muted, s / 5);
      roundRect(c, bx + 4, by + 4, bx + s - 4, by + s - 4, t === TIKTOK ? t.surface : WHITE, s / 6);
    }
    if (label) drawText(c, label, [bx + s + 12, y1, x2, y2], t.text, "left");
  } else if (cls === "Button" && leaf) {
    roundRect(c, x1, y1, x2, y2, n.enabled ? t.accent : t.line, Math.min(16, h / 4));
    const ink = n.enabled ? t.onAccent : t.muted;
    if (n.text) drawText(c, n.text, n.bounds, ink, "center");
    else drawText(c, firstPhrase(n.desc), n.bounds, ink, "center", 3, true);
  } else if (leaf && !n.text && (cls === "ImageView" || cls === "ImageButton" || n.desc)) {
    drawImage(f, n, t);
  } else if (leaf && n.text && n.clickable && h >= 200 && w <= 400) {
    // an app icon with its name under it (the launcher, the share sheet)
    const s = Math.min(w - 40, h - 90);
    roundRect(c, x1 + (w - s) / 2, y1 + 10, x1 + (w + s) / 2, y1 + 10 + s, tint(n.text, 0.85), s / 4);
    drawText(c, n.text, [x1, y1 + s + 20, x2, y2], t.text, "center");
  } else if (n.text) {
    drawText(c, n.text, n.bounds, n.enabled ? t.text : t.muted, cls === "Button" ? "center" : "left");
  }
  if (n.selected) c.fillRect(x1 + w * 0.15, y2 - Math.max(5, h / 20), x2 - w * 0.15, y2, t.accent);
}

/** A panel anchored to the bottom of the screen, covering part of it: a bottom sheet. */
function isSheet(f: Frame, n: UiNode): boolean {
  const [x1, y1, x2, y2] = n.bounds;
  return (
    n.children.length > 0 &&
    !n.clickable &&
    x2 - x1 >= f.screenW * 0.9 &&
    y1 >= f.screenH * 0.2 &&
    y2 >= f.screenH * 0.85 &&
    y2 - y1 >= f.screenH * 0.2 &&
    y2 - y1 < f.screenH * 0.8
  );
}

/** An image as a rectangle tinted by what it shows; a large one (a video, a photo) dark, so texts stay legible. */
function drawImage(f: Frame, n: UiNode, t: Theme): void {
  const [x1, y1, x2, y2] = n.bounds;
  const big = area(n.bounds) > f.screenW * f.screenH * 0.3;
  const key = `${n.resourceId}|${n.desc}`;
  const colour = big ? mix(tint(key, 0.6), baseColour(t), 0.85) : tint(key, 0.75);
  roundRect(f.canvas, x1, y1, x2, y2, colour, big ? 0 : Math.min(x2 - x1, y2 - y1) / 6);
  if (!big && n.desc)
    drawText(f.canvas, n.desc, n.bounds, luminance(colour) > 140 ? [20, 20, 20] : WHITE, "center", 3);
}

// ---- pixels ---------------------------------------------------------------------------------------------

function paintBackground(c: Canvas, t: Theme): void {
  const bg = t.background;
  if (isGradient(bg)) c.gradient(bg[0], bg[1]);
  else c.fillRect(0, 0, c.width, c.height, bg);
}

/** The background's colour (a gradient's top). */
function baseColour(t: Theme): Rgb {
  return isGradient(t.background) ? t.background[0] : t.background;
}

function isGradient(bg: Theme["background"]): bg is [Rgb, Rgb] {
  return Array.isArray(bg[0]);
}

/** What is under a dialog: darkened to a little under half. */
function dim(c: Canvas): void {
  const d = c.data;
  for (let i = 0; i < d.length; i++) d[i] = ((d[i] as number) * 110) >> 8;
}

/** A rectangle with its corners cut at 45° (cheap, and reads as rounded at phone sizes). */
function roundRect(c: Canvas, x1: number, y1: number, x2: number, y2: number, rgb: Rgb, r: number): void {
  const k = Math.max(0, Math.min(Math.round(r), Math.floor((x2 - x1) / 2), Math.floor((y2 - y1) / 2)));
  c.fillRect(x1, y1 + k, x2, y2 - k, rgb);
  for (let i = 0; i < k; i++) {
    const inset = k - i;
    c.fillRect(x1 + inset, y1 + i, x2 - inset, y1 + i + 1, rgb);
    c.fillRect(x1 + inset, y2 - i - 1, x2 - inset, y2 - i, rgb);
  }
}

function tick(c: Canvas, x: number, y: number, s: number, rgb: Rgb): void {
  const t = Math.max(2, s / 9);
  for (let i = 0; i <= s * 0.2; i++) block(c, x + s * 0.22 + i, y + s * 0.5 + i, t, rgb);
  for (let i = 0; i <= s * 0.4; i++) block(c, x + s * 0.42 + i, y + s * 0.7 - i, t, rgb);
}

function block(c: Canvas, x: number, y: number, size: number, rgb: Rgb): void {
  const ax = Math.max(0, Math.round(x));
  const ay = Math.max(0, Math.round(y));
  const bx = Math.min(c.width, Math.round(x + size));
  const by = Math.min(c.height, Math.round(y + size));
  const d = c.data;
  for (let py = ay; py < by; py++) {
    for (let px = ax, o = (py * c.width + ax) * 3; px < bx; px++, o += 3) {
      d[o] = rgb[0];
      d[o + 1] = rgb[1];
      d[o + 2] = rgb[2];
    }
  }
}

/** A colour of its own for a name: the same name, the same colour. */
function tint(name: string, lightness: number): Rgb {
  let hash = 2166136261;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 16777619);
  const hue = ((hash >>> 0) % 360) / 60;
  const x = 1 - Math.abs((hue % 2) - 1);
  const [r, g, b] =
    hue < 1
      ? [1, x, 0]
      : hue < 2
        ? [x, 1, 0]
        : hue < 3
          ? [0, 1, x]
          : hue < 4
            ? [0, x, 1]
            : hue < 5
              ? [x, 0, 1]
              : [1, 0, x];
  const scale = (v: number) => Math.round((0.35 + 0.5 * v) * 255 * lightness);
  return [scale(r), scale(g), scale(b)];
}

function mix(a: Rgb, b: Rgb, shareOfB: number): Rgb {
  return [0, 1, 2].map((i) =>
    Math.round((a[i] as number) * (1 - shareOfB) + (b[i] as number) * shareOfB),
  ) as Rgb;
}

const luminance = ([r, g, b]: Rgb) => 0.299 * r + 0.587 * g + 0.114 * b;

/** A description's first phrase ("Like video. 12 likes" → "Like video"): what fits on an icon. */
const firstPhrase = (desc: string) => desc.split(/[.,:]/)[0] ?? desc;

/** A percentage a progress view states ("45%", "Original sound volume 80"). */
function percentIn(s: string): number | undefined {
  const m = /(\d{1,3})\s*%?\s*$/.exec(s.trim());
  return m ? Math.min(100, Number(m[1])) : undefined;
}

// ---- text -----------------------------------------------------------------------------------------------

/**
 * 5×7 glyphs for ASCII 32–126, 7 rows each, a row being 5 bits (leftmost = 16) written as one base-32 digit.
 * Drawn for this package; every glyph is 6 columns wide with its spacing.
 */
const FONT =
  "00000004444404aa00000avaaava4fke5u4pp248jjcic8lid4400000248884284222480level0044v4400000c48000v00000000cc" +
  "11248ggehjlphe4c4444eeh1248vu11e11u26aiv22vgu11he68guhhev124888ehhehheehhf12c0cc0cc00cc0c48248g84200v0v00" +
  "8421248eh12404ehnlngfehhvhhhuhhuhhuehggghesihhhisvgguggvvggugggehgnhhfhhhvhhhe44444e72222ichikokihggggggv" +
  "hrllhhhhhpljhhehhhhheuhhugggehhhliduhhukihfgge11uv444444hhhhhhehhhhha4hhhlllahha4ahhhha4444v1248gve88888e" +
  "gg84211e22222e4ah0000000000v840000000e1fhfggmphhu00egghe11djhhf00ehvge698s8880fhhf1eggmphhh40c444e20622ic" +
  "ggikokic44444e00qllhh00mphhh00ehhhe00uhugg00djf1100mpggg00ege1u88s889600hhhjd00hhha400hhlla00ha4ah00hhf1e" +
  "00v248v34484434444444o44244o008l200";
const GLYPH_ROWS = 7;
const ADVANCE = 6;
const LINE = 9;

/** Glyph rows of a character: non-ASCII punctuation as its ASCII look-alike, accents dropped, others "?". */
function glyph(ch: string): number[] {
  let code = ch.codePointAt(0) ?? 63;
  if (code > 126 || code < 32) {
    const plain = ch.normalize("NFD").replace(/[\u0300-\u036f]/g, "");
    const alike: Record<string, string> = {
      "’": "'",
      "‘": "'",
      "“": '"',
      "”": '"',
      "–": "-",
      "—": "-",
      "•": "*",
    };
    code = (alike[ch] ?? plain).codePointAt(0) ?? 63;
    if (code > 126 || code < 32) code = 63;
  }
  const at = (code - 32) * GLYPH_ROWS;
  const rows: number[] = [];
  for (let r = 0; r < GLYPH_ROWS; r++) rows.push(Number.parseInt(FONT[at + r] as string, 32));
  return rows;
}

/** Words wrapped to lines of at most `columns` characters (a longer word stays whole, to be cut when drawn). */
function wrap(text: string, columns: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.replace(/…/g, "...").split("\n")) {
    let line = "";
    for (const word of paragraph.split(" ")) {
      const next = line ? `${line} ${word}` : word;
      if (line && [...next].length > columns) {
        lines.push(line);
        line = word;
      } else line = next;
    }
    lines.push(line);
  }
  return lines;
}

/** The largest letters (from `maxScale` down to `minScale`) at which the lines fit the box; null when none does. */
function fitScale(text: string, w: number, h: number, maxScale: number, minScale: number, oneLine: boolean) {
  for (let scale = maxScale; scale >= minScale; scale--) {
    const lines = wrap(
      text,
      oneLine ? Number.MAX_SAFE_INTEGER : Math.max(1, Math.floor(w / (ADVANCE * scale))),
    );
    const widest = Math.max(...lines.map((l) => [...l].length)) * ADVANCE * scale - scale;
    if (widest <= w && lines.length * LINE * scale <= h) return { scale, lines };
  }
  return null;
}

/**
 * Text inside a box, as large as the box allows (up to `maxScale`), wrapped by words and cut at the box's
 * bottom (or, `whole`, not drawn at all unless it fits). Returns where the text ends (for a caret).
 */
function drawText(
  c: Canvas,
  text: string,
  box: Rect,
  rgb: Rgb,
  align: "left" | "center",
  maxScale = 5,
  whole = false,
): { x: number; y: number; h: number } {
  const [x1, y1, x2, y2] = box;
  const pad = align === "left" ? 12 : 6;
  const w = x2 - x1 - 2 * pad;
  const h = y2 - y1;
  const top = Math.max(2, Math.min(maxScale, Math.floor(h / 14)));
  // one line when it fits at a size not much smaller, else wrapped; the smallest size, cut, when nothing fits
  const fit =
    fitScale(text, w, h, top, Math.max(2, top - 2), true) ??
    fitScale(text, w, h, top, 2, false) ??
    (whole ? null : { scale: 2, lines: wrap(text, Math.max(1, Math.floor(w / 12))) });
  if (!fit) return { x: x1 + pad, y: y1, h: 0 };
  const { scale, lines } = fit;
  const lineH = LINE * scale;
  const shown = lines.slice(0, Math.max(1, Math.floor(h / lineH)));
  let y = y1 + Math.max(0, (h - shown.length * lineH) / 2) + scale;
  let end = { x: x1 + pad, y, h: GLYPH_ROWS * scale };
  for (const line of shown) {
    const chars = [...line];
    const lineW = chars.length * ADVANCE * scale - scale;
    let x = align === "center" ? x1 + (x2 - x1 - lineW) / 2 : x1 + pad;
    for (const ch of chars) {
      if (x + 5 * scale > x2 || y + GLYPH_ROWS * scale > y2 + scale) break;
      const rows = glyph(ch);
      rows.forEach((bits, r) => {
        for (let col = 0; col < 5; col++)
          if (bits & (16 >> col)) block(c, x + col * scale, y + r * scale, scale, rgb);
      });
      x += ADVANCE * scale;
    }
    end = { x, y, h: GLYPH_ROWS * scale };
    y += lineH;
  }
  return end;
}

// Captions: one per line, rotated across tasks; spintax `{a|b|c}` (nested too) picks one option per task;
// `###` is a line break inside a caption; on TikTok `##` splits the title from the description.
// Text is never normalised: emoji, accents and any script reach the phone exactly as typed.
import { readFileSync } from "node:fs";

export type Random = () => number;

/** The file's text, without the UTF-8 byte order mark Windows editors write. */
export function readTextFile(path: string): string {
  return stripBom(readFileSync(path, "utf8"));
}

export const stripBom = (text: string) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

/** One caption per non-empty line; CRLF, CR and LF all end a line. */
export function captionLines(text: string): string[] {
  return stripBom(text)
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}

type Piece = string | { options: Piece[][] };

/**
 * Parses spintax into literal text and groups. A brace that opens no group with a `|` in it (`{x}`, or
 * one never closed) stays literal text, so captions with ordinary braces are left alone.
 */
function parse(text: string): Piece[] {
  let i = 0;
  function sequence(inGroup: boolean): Piece[] {
    const out: Piece[] = [];
    let literal = "";
    while (i < text.length) {
      const c = text[i] as string;
      if (inGroup && (c === "|" || c === "}")) break;
      if (c === "{") {
        const start = i++;
        const options: Piece[][] = [sequence(true)];
        while (text[i] === "|") {
          i++;
          options.push(sequence(true));
        }
        if (text[i] === "}" && options.length > 1) {
          i++;
          if (literal) out.push(literal);
          literal = "";
          out.push({ options });
          continue;
        }
        // not a group: keep what was read as text (a lone `}` is consumed with it)
        if (text[i] === "}") i++;
        literal += text.slice(start, i);
        continue;
      }
      literal += c;
      i++;
    }
    if (literal) out.push(literal);
    return out;
  }
  return sequence(false);
}

function render(pieces: Piece[], random: Random): string {
  let out = "";
  for (const p of pieces) {
    if (typeof p === "string") out += p;
    else {
      const pick = Math.min(p.options.length - 1, Math.floor(random() * p.options.length));
      out += render(p.options[pick] as Piece[], random);
    }
  }
  return out;
}

/** `{a|b|c}` → one of a, b, c (groups may nest); draws only for the groups it actually takes. */
export function spin(text: string, random: Random = Math.random): string {
  return render(parse(text), random);
}

export interface Caption {
  /** Everything to type, `###` and `##` turned into line breaks. */
  text: string;
  /** TikTok: the part before `##`, for the title field; null when there is none (or on Instagram). */
  title: string | null;
  /** What goes in the description (all of `text` when there is no title). */
  description: string;
}

/** One caption line → the text for the phone: spun, `###` a line break, `##` title / description on TikTok. */
export function finishCaption(
  line: string,
  platform: "tiktok" | "instagram",
  random: Random = Math.random,
): Caption {
  const spun = spin(line, random).replaceAll("###", "\n");
  const split = spun.indexOf("##");
  if (split < 0) return { text: spun, title: null, description: spun };
  const title = spun.slice(0, split).trim();
  const description = spun.slice(split + 2).trim();
  const text = [title, description].filter(Boolean).join("\n");
  if (platform !== "tiktok") return { text, title: null, description: text };
  return { text, title: title || null, description };
}

/**
 * Shell quoting for commands run on the phone — the one place that knows how the remote `sh` reads
 * a command line. Every verb builds its command through `sh` (or `quote`), never by hand.
 */

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes one argument for the phone's POSIX shell (single quotes; `'` becomes `'\''`). */
export function quote(arg: string | number): string {
  const s = String(arg);
  if (s !== "" && SAFE_WORD.test(s)) return s;
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** A shell argument that is passed through as is (already quoted, or shell syntax like `;`). */
export interface RawArg {
  readonly raw: string;
}

export function raw(text: string): RawArg {
  return { raw: text };
}

/** Builds a command line from words: strings and numbers are quoted, `raw(...)` pieces are not. */
export function sh(...words: (string | number | RawArg)[]): string {
  return words.map((w) => (typeof w === "object" ? w.raw : quote(w))).join(" ");
}

/** Characters the shell would interpret inside an unquoted word, escaped with a backslash. */
const INPUT_TEXT_SPECIAL = new Set([..."\\'\"&|;()$<>*~`#?[]{}!"]);

/** True when `input text` can type the text (printable ASCII only). */
export function isInputTextSafe(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text);
}

/**
 * The argument for `input text`: spaces become `%s` (input's own escape for a space) and shell
 * metacharacters get a backslash, so the word reaches `input` exactly as typed. ASCII only.
 */
export function inputTextArg(text: string): string {
  if (!isInputTextSafe(text)) throw new Error("input text takes printable ASCII only");
  let out = "";
  for (const ch of text) {
    if (ch === " ") out += "%s";
    else if (INPUT_TEXT_SPECIAL.has(ch)) out += `\\${ch}`;
    else out += ch;
  }
  return out;
}

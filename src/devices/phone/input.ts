/** Typing: what `input text` can carry, and the ADBKeyBoard input method for everything else. */
import { sh } from "../shell-quote.ts";

export const ADB_KEYBOARD_PACKAGE = "com.android.adbkeyboard";
export const ADB_KEYBOARD_IME = "com.android.adbkeyboard/.AdbIME";

/**
 * `input text` turns "%s" into a space and has no escape for it: the pieces to type one after another,
 * splitting every literal "%s" between "…%" and "s…".
 */
export function inputTextPieces(value: string): string[] {
  const parts = value.split("%s");
  return parts
    .map((part, i) => `${i > 0 ? "s" : ""}${part}${i < parts.length - 1 ? "%" : ""}`)
    .filter((piece) => piece !== "");
}

/** What in `value` needs ADBKeyBoard, for the error when it is not installed. */
export function whyKeyboardNeeded(value: string): string {
  return [...value].some((c) => c.charCodeAt(0) > 0x7f)
    ? "non-ASCII characters"
    : "control characters (newline, tab…)";
}

/** The broadcast ADBKeyBoard types from (base64, so any text survives the shell). */
export const keyboardTypeCommand = (value: string) =>
  sh("am", "broadcast", "-a", "ADB_INPUT_B64", "--es", "msg", Buffer.from(value, "utf8").toString("base64"));

/** Apps and media: the `am`, `content` and broadcast command lines, and reading `am`'s answers. */
import { sh } from "../shell-quote.ts";

const VIDEO_EXTENSIONS = new Set(["mp4", "m4v", "mov", "3gp", "3g2", "webm", "mkv", "avi", "ts"]);

/** `PKG/ACTIVITY` from an activity name, full or relative to `pkg`. */
export const component = (pkg: string, activity: string) =>
  activity.includes("/") ? activity : `${pkg}/${activity}`;

/** `am` says "Error: …" with exit code 0 on many Android versions: that line, or null. */
export function amError(output: string): string | null {
  return /^(Error|Exception|java\.\S+Exception)[:\s].*$/m.exec(output)?.[0] ?? null;
}

/** `am start` sharing content:// URIs to an app (SEND for one, SEND_MULTIPLE for several). */
export function shareCommand(
  pkg: string,
  activity: string | undefined,
  mime: string,
  contentUris: string[],
): string {
  const words: string[] = ["am", "start"];
  if (contentUris.length === 1) {
    words.push("-a", "android.intent.action.SEND", "-t", mime, "--eu", "android.intent.extra.STREAM");
    words.push(contentUris[0] as string);
  } else {
    words.push(
      "-a",
      "android.intent.action.SEND_MULTIPLE",
      "-t",
      mime,
      "--eua",
      "android.intent.extra.STREAM",
    );
    words.push(contentUris.join(","));
  }
  words.push("--grant-read-uri-permission");
  if (activity) words.push("-n", component(pkg, activity));
  else words.push("-p", pkg);
  return sh(...words);
}

/** The broadcast every Android version honours, and (SDK 29+) the media provider's own scan. */
export const mediaScanCommands = (remotePath: string) => ({
  broadcast: sh(
    "am",
    "broadcast",
    "-a",
    "android.intent.action.MEDIA_SCANNER_SCAN_FILE",
    "-d",
    `file://${remotePath}`,
  ),
  scanFile: sh("content", "call", "--uri", "content://media", "--method", "scan_file", "--arg", remotePath),
});

/** The media store query for a scanned file's id, and the URI base the id belongs to. */
export function mediaQuery(remotePath: string): { base: string; command: string } {
  const ext = remotePath.split(".").pop()?.toLowerCase() ?? "";
  const base = VIDEO_EXTENSIONS.has(ext)
    ? "content://media/external/video/media"
    : "content://media/external/images/media";
  // The media store records canonical paths (/storage/emulated/0/…), not the /sdcard alias.
  const canonical = remotePath.replace(
    /^\/(?:sdcard|mnt\/sdcard|storage\/self\/primary)(?=\/|$)/,
    "/storage/emulated/0",
  );
  const where = `_data='${canonical.replaceAll("'", "''")}'`;
  return { base, command: sh("content", "query", "--uri", base, "--projection", "_id", "--where", where) };
}

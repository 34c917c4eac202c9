/** `content`: the media provider (query, delete, scan_file) with a tiny WHERE evaluator. */
import type { MediaEntry } from "../media.ts";
import { type DeviceCommand, err, out } from "./command.ts";

/** Columns of media rows for content query. */
function mediaRow(e: MediaEntry): Record<string, string> {
  const rel = e.data.replace(/^\/storage\/emulated\/0\//, "");
  const dir = rel.includes("/") ? `${rel.slice(0, rel.lastIndexOf("/"))}/` : "";
  const bucket = dir ? (dir.slice(0, -1).split("/").pop() ?? "") : "";
  return {
    _id: String(e.id),
    _data: e.data,
    _display_name: e.displayName,
    title: e.displayName.replace(/\.[^.]*$/, ""),
    mime_type: e.mimeType,
    _size: String(e.size),
    date_added: String(e.dateAdded),
    date_modified: String(e.dateModified),
    relative_path: dir,
    bucket_display_name: bucket,
    media_type: e.kind === "images" ? "1" : e.kind === "video" ? "3" : e.kind === "audio" ? "2" : "0",
    duration: e.kind === "video" ? "15000" : "NULL",
    volume_name: "external_primary",
  };
}

/** A tiny WHERE evaluator: col=value, col LIKE 'x', joined by AND / OR. */
function whereFilter(where: string | undefined): (row: Record<string, string>) => boolean {
  if (!where) return () => true;
  const ors = where.split(/\s+OR\s+/i).map((o) =>
    o.split(/\s+AND\s+/i).map((c) => {
      const m =
        /^\s*\(?\s*([A-Za-z_]+)\s*(=|==|!=|<>|LIKE|>=|<=|>|<)\s*(?:'((?:[^']|'')*)'|"([^"]*)"|([^\s)]+))\s*\)?\s*$/i.exec(
          c,
        );
      if (!m) return (_r: Record<string, string>) => false;
      const col = m[1] as string;
      const op = (m[2] as string).toUpperCase();
      const val = (m[3] ?? m[4] ?? m[5] ?? "").replace(/''/g, "'");
      return (r: Record<string, string>) => {
        const v = r[col];
        if (v === undefined) return false;
        switch (op) {
          case "=":
          case "==":
            return v === val;
          case "!=":
          case "<>":
            return v !== val;
          case "LIKE": {
            const re = new RegExp(
              `^${val
                .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
                .replace(/%/g, ".*")
                .replace(/_/g, ".")}$`,
              "i",
            );
            return re.test(v);
          }
          case ">":
            return Number(v) > Number(val);
          case "<":
            return Number(v) < Number(val);
          case ">=":
            return Number(v) >= Number(val);
          case "<=":
            return Number(v) <= Number(val);
        }
        return false;
      };
    }),
  );
  return (row) => ors.some((ands) => ands.every((f) => f(row)));
}

function mediaKindOfUri(uri: string): { kind: string | null; id: number | null } | null {
  const m =
    /^content:\/\/media\/(external|external_primary|internal)(?:\/(video|images|audio|file|files)(?:\/media)?(?:\/(\d+))?)?\/?$/.exec(
      uri,
    );
  if (!m) return null;
  const k = m[2] === "files" ? "file" : (m[2] ?? null);
  return { kind: k, id: m[3] ? Number(m[3]) : null };
}

export const content: DeviceCommand = async (ctx, dev) => {
  const [sub, ...rest] = ctx.args;
  const opt = (name: string) => {
    const i = rest.indexOf(name);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  const uri = opt("--uri") ?? "";
  if (sub === "call") {
    const method = opt("--method");
    const arg = opt("--arg");
    if (uri.startsWith("content://media") && method === "scan_file" && arg) {
      const e = dev.media.scan(arg.startsWith("file://") ? arg.slice(7) : arg);
      await out(ctx, e ? `Result: Bundle[{uri=${dev.media.uriOf(e)}}]\n` : "Result: Bundle[{}]\n");
      return 0;
    }
    await out(ctx, "Result: null\n");
    return 0;
  }
  const target = mediaKindOfUri(uri);
  if (!target) {
    await err(
      ctx,
      `Error while accessing provider:${uri.replace(/^content:\/\//, "").split("/")[0]}\njava.lang.IllegalArgumentException: Unknown URI ${uri}\n`,
    );
    return 1;
  }
  const rows = dev.media
    .all()
    .filter(
      (e) =>
        (target.kind === null || target.kind === "file" || e.kind === target.kind) &&
        (target.id === null || e.id === target.id),
    )
    .sort((a, b) => a.id - b.id);
  const pass = whereFilter(opt("--where"));
  if (sub === "query") {
    const proj = opt("--projection")?.split(/[:,]/).filter(Boolean);
    const hits = rows.filter((e) => pass(mediaRow(e)));
    const sort = opt("--sort");
    if (sort && /date_added|date_modified/.test(sort) && /DESC/i.test(sort)) hits.reverse();
    if (hits.length === 0) {
      await out(ctx, "No result found.\n");
      return 0;
    }
    const lines = hits.map((e, i) => {
      const r = mediaRow(e);
      const cols = proj ?? Object.keys(r);
      return `Row: ${i} ${cols.map((c) => `${c}=${r[c] ?? "NULL"}`).join(", ")}`;
    });
    await out(ctx, `${lines.join("\n")}\n`);
    return 0;
  }
  if (sub === "delete") {
    for (const e of rows) if (pass(mediaRow(e))) dev.media.delete(e.id);
    return 0;
  }
  if (sub === "insert" || sub === "update") return 0;
  await err(ctx, `Unsupported operation: ${sub ?? ""}\n`);
  return 1;
};

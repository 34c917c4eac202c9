// The operator's dashboard at `/`: src/ui/index.html and the TypeScript modules it loads, bundled by Bun's HTML
// import into the executable at build time (farm PCs are often offline, so nothing comes from elsewhere; run
// from source, the same bundle is made on the first request). The page tells the script whether the service
// wants a token, so it can ask before its first call instead of after a refused one.
import { basename, join } from "node:path";
import { Elysia } from "elysia";
import page from "../ui/index.html";

// the page loads only its own files and talks only to this service; screenshots are shown as blob: URLs
const CSP =
  "default-src 'self'; img-src 'self' blob:; style-src 'self'; script-src 'self'; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'";

const TOKEN_MARK = 'data-token-required="no"';

interface Asset {
  type: string;
  text: string;
}

/** The bundle's files by name: the page (index.html) and its hashed script and style. */
async function bundle(): Promise<Map<string, Asset>> {
  const files = new Map<string, Asset>();
  if (page.files?.length) {
    for (const f of page.files)
      files.set(f.loader === "html" ? "index.html" : basename(f.path), {
        type: f.headers["content-type"],
        text: await Bun.file(f.path).text(),
      });
    return files;
  }
  const built = await Bun.build({
    entrypoints: [join(import.meta.dir, "../ui/index.html")],
    minify: true,
  });
  if (!built.success) throw new AggregateError(built.logs, "the dashboard does not bundle");
  for (const o of built.outputs) files.set(basename(o.path), { type: o.type, text: await o.text() });
  return files;
}

export function uiRoutes(opts: { tokenRequired: boolean }) {
  const hidden = { detail: { hide: true } };
  let files: Promise<Map<string, Asset>> | undefined;
  const headers = (type: string) => ({
    "content-type": type.replace(";charset", "; charset"),
    "cache-control": "no-cache",
  });
  return new Elysia()
    .get(
      "/",
      async () => {
        files ??= bundle();
        const html = (await files).get("index.html")?.text ?? "";
        // the bundle names its files from the root; they are served under /ui/
        const text = html
          .replace(/(src|href)="\.?\/([^"/]+\.(?:js|css))"/g, '$1="/ui/$2"')
          .replace(TOKEN_MARK, `data-token-required="${opts.tokenRequired ? "yes" : "no"}"`);
        return new Response(text, {
          headers: { ...headers("text/html; charset=utf-8"), "content-security-policy": CSP },
        });
      },
      hidden,
    )
    .get(
      "/ui/:file",
      async ({ params }) => {
        files ??= bundle();
        const asset = params.file.endsWith(".html") ? undefined : (await files).get(params.file);
        if (!asset) return new Response("no such file", { status: 404 });
        return new Response(asset.text, { headers: headers(asset.type) });
      },
      hidden,
    );
}

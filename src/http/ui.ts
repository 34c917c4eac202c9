// The operator's dashboard at `/`: plain files from src/ui/, embedded in the executable like Swagger UI's
// (farm PCs are often offline, so nothing comes from elsewhere). The page tells the script whether the
// service wants a token, so it can ask before its first call instead of after a refused one.
import { Elysia } from "elysia";
import css from "../ui/app.css" with { type: "file" };
import js from "../ui/app.js" with { type: "file" };
import html from "../ui/index.html" with { type: "file" };

// the page loads only its own files and talks only to this service; screenshots are shown as blob: URLs
const CSP =
  "default-src 'self'; img-src 'self' blob:; style-src 'self'; script-src 'self'; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'";

const TOKEN_MARK = 'data-token-required="no"';

function asset(path: string, type: string, extra: Record<string, string> = {}) {
  return () =>
    new Response(Bun.file(path), {
      headers: { "content-type": type, "cache-control": "no-cache", ...extra },
    });
}

export function uiRoutes(opts: { tokenRequired: boolean }) {
  const hidden = { detail: { hide: true } };
  let page: string | undefined;
  return new Elysia()
    .get(
      "/",
      async () => {
        page ??= (await Bun.file(html as unknown as string).text()).replace(
          TOKEN_MARK,
          `data-token-required="${opts.tokenRequired ? "yes" : "no"}"`,
        );
        return new Response(page, {
          headers: {
            "content-type": "text/html; charset=utf-8",
            "cache-control": "no-cache",
            "content-security-policy": CSP,
          },
        });
      },
      hidden,
    )
    .get("/ui/app.js", asset(js, "text/javascript; charset=utf-8"), hidden)
    .get("/ui/app.css", asset(css, "text/css; charset=utf-8"), hidden);
}

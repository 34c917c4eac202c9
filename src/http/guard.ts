// Refusals that protect the operator, checked before any route runs: a foreign Host or Origin (a web page
// in the operator's browser must not drive the farm), a missing token, a plan without API access, a body
// that is too large.
import { timingSafeEqual } from "node:crypto";
import { LOOPBACK_HOSTS } from "../config.ts";
import type { License } from "../license/license.ts";
import { MAX_BODY_BYTES, tooLarge } from "./body.ts";
import { AppError, Code } from "./envelope.ts";
import { isMaterialUpload } from "./materials.ts";

export interface GuardOptions {
  token: string | null;
  license: License;
  /** Names accepted in the Host header besides the loopback ones. */
  allowedHosts: string[];
}

/** "localhost:50809" → "localhost"; "[::1]:50809" → "[::1]". */
function hostName(hostHeader: string): string {
  const m = /^(\[[^\]]*\]|[^:]*)(?::\d+)?$/.exec(hostHeader.trim().toLowerCase());
  return m?.[1] ?? "";
}

function sameSecret(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function tokenMatches(request: Request, path: string, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(request.headers.get("authorization") ?? "");
  if (m?.[1]) return sameSecret(m[1].trim(), token);
  // a browser's EventSource cannot send headers: the event stream alone takes ?token=
  if (path !== "/api/v1/events") return false;
  const given = new URL(request.url).searchParams.get("token");
  return given !== null && sameSecret(given, token);
}

export function makeGuard(opts: GuardOptions) {
  const allowed = new Set([...LOOPBACK_HOSTS, ...opts.allowedHosts.map((h) => h.toLowerCase())]);

  /** Throws the AppError that refuses the request, or returns quietly. */
  return function guard(request: Request): void {
    // Bun builds the URL from the Host header: a malformed one ("::1", "a@b") leaves it unparsable
    const url = URL.parse(request.url);
    // app.handle in tests builds requests without a Host header; HTTP/1.0 clients may send none
    const host = request.headers.get("host") ?? url?.host;
    if (host === undefined) {
      throw new AppError(Code.foreignRequest, "request refused: send a Host header naming this service");
    }
    if (url === null || !allowed.has(hostName(host))) {
      throw new AppError(Code.foreignRequest, `request refused: Host "${host}" is not this service`);
    }
    const origin = request.headers.get("origin");
    if (origin !== null && origin !== `http://${host}` && origin !== `https://${host}`) {
      throw new AppError(Code.foreignRequest, `request refused: Origin ${origin} is not this service`);
    }
    const length = Number(request.headers.get("content-length") ?? 0);
    // an upload has its own, larger cap (--material-max-size), checked by its route
    if (length > MAX_BODY_BYTES && !isMaterialUpload(request)) throw tooLarge();

    const path = url.pathname;
    if (!path.startsWith("/api/v1/") && path !== "/api/v1") return;
    if (opts.token && !tokenMatches(request, path, opts.token)) {
      throw new AppError(Code.unauthorized, "missing or wrong API token: send Authorization: Bearer TOKEN");
    }
    const plan = opts.license.state();
    if (!plan.api_enabled) throw new AppError(Code.planForbidsApi, plan.message, { ...plan });
  };
}

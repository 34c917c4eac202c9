// Refusals that protect the operator, checked before any route runs: a foreign Host or Origin (a web page
// in the operator's browser must not drive the farm), a missing token, a plan without API access, a body
// that is too large.
import { timingSafeEqual } from "node:crypto";
import { LOOPBACK_HOSTS } from "../config.ts";
import type { License } from "../license/license.ts";
import { AppError, Code } from "./envelope.ts";
import { isMaterialUpload } from "./materials.ts";

export const MAX_BODY_BYTES = 1024 * 1024;

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

function tokenMatches(header: string | null, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? "");
  if (!m?.[1]) return false;
  const given = Buffer.from(m[1].trim());
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

export function makeGuard(opts: GuardOptions) {
  const allowed = new Set([...LOOPBACK_HOSTS, ...opts.allowedHosts.map((h) => h.toLowerCase())]);

  /** Throws the AppError that refuses the request, or returns quietly. */
  return function guard(request: Request, path: string): void {
    // app.handle in tests builds requests without a Host header; a socket request always has one
    const host = request.headers.get("host") ?? new URL(request.url).host;
    if (!allowed.has(hostName(host))) {
      throw new AppError(Code.foreignRequest, `request refused: Host "${host}" is not this service`);
    }
    const origin = request.headers.get("origin");
    if (origin !== null && origin !== `http://${host}` && origin !== `https://${host}`) {
      throw new AppError(Code.foreignRequest, `request refused: Origin ${origin} is not this service`);
    }
    const length = Number(request.headers.get("content-length") ?? 0);
    // an upload has its own, larger cap (--material-max-size), checked by its route
    if (length > MAX_BODY_BYTES && !isMaterialUpload(request))
      throw new AppError(Code.tooLarge, "request body is larger than 1 MiB");

    if (!path.startsWith("/api/v1/") && path !== "/api/v1") return;
    if (opts.token && !tokenMatches(request.headers.get("authorization"), opts.token)) {
      throw new AppError(Code.unauthorized, "missing or wrong API token: send Authorization: Bearer TOKEN");
    }
    const plan = opts.license.state();
    if (!plan.api_enabled) throw new AppError(Code.planForbidsApi, plan.message, { ...plan });
  };
}

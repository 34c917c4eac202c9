// The HTTP app: the guard, the envelope for every error, and one plugin per resource.
import { Elysia, ParseError, ValidationError } from "elysia";
import type { AccountService } from "../accounts/service.ts";
import type { DeviceService } from "../devices/service.ts";
import type { License } from "../license/license.ts";
import type { Logger, LogTail } from "../log.ts";
import type { Materials } from "../materials/index.ts";
import type { ScriptRegistry } from "../scripts/registry.ts";
import type { Backup } from "../store/backup.ts";
import type { EventBus } from "../tasks/events.ts";
import type { Evidence } from "../tasks/evidence.ts";
import type { TaskService } from "../tasks/service.ts";
import { accountRoutes } from "./accounts.ts";
import { backupRoutes } from "./backup.ts";
import { readJsonObject } from "./body.ts";
import { refusal } from "./clients.ts";
import { deviceRoutes } from "./devices.ts";
import { type DocsExamples, docs } from "./docs.ts";
import { AppError, Code, envelopeResponse, errorResponse, invalidFields } from "./envelope.ts";
import { type EventStreams, eventRoutes } from "./events.ts";
import { fastUiRoutes } from "./fast-ui.ts";
import { makeGuard } from "./guard.ts";
import { type HealthProbe, healthRoutes } from "./health.ts";
import { licenseRoutes } from "./license.ts";
import { logRoutes } from "./logs.ts";
import { isMaterialUpload, materialRoutes } from "./materials.ts";
import type { Peers } from "./peers.ts";
import { taskRoutes } from "./tasks.ts";
import { uiRoutes } from "./ui.ts";

export interface AppDeps {
  token: string | null;
  allowedHosts: string[];
  license: License;
  tasks: TaskService;
  devices: DeviceService;
  accounts: AccountService;
  materials: Materials;
  events: EventBus;
  /** The event streams this app serves (its owner ends them at shutdown). */
  streams: EventStreams;
  /** The scripts the API documents, each with its config schema. */
  scripts: ScriptRegistry;
  evidence: Evidence;
  health: HealthProbe;
  docsExamples: DocsExamples;
  log: Logger;
  /** The log's newest records (GET /api/v1/logs), and the file that has them all. */
  logTail: LogTail;
  logFile: string;
  /** Copies the database (and its key file) while the service runs. */
  backUp: () => Backup;
  /** The farm's other nodes (several PCs on PostgreSQL); null on SQLite's one PC. */
  peers: Peers | null;
}

function fromValidation(error: ValidationError, body: unknown, request: Request): AppError {
  const on = error.type;
  if (on === "body" && typeof body === "object" && body !== null && !Array.isArray(body)) {
    const name = (body as Record<string, unknown>).script_name;
    if (name === undefined && error.all.some((e) => "path" in e && e.path === "/script_name")) {
      return AppError.scriptNameMissing();
    }
  }
  const all = error.all.filter((e): e is typeof e & { path: string } => "path" in e);
  const owner = `${request.method} ${new URL(request.url).pathname}`;
  return invalidFields(on, all.length > 0 ? (all as never) : [{ path: "", message: error.message }], owner);
}

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

export function createApp(deps: AppDeps) {
  const guard = makeGuard({ token: deps.token, license: deps.license, allowedHosts: deps.allowedHosts });

  const api = new Elysia({ normalize: false })
    // no page may show this service in a frame (clickjacking the Swagger UI or the API's answers)
    .headers({ "x-frame-options": "DENY", "content-security-policy": "frame-ancestors 'none'" })
    .onRequest(({ request }) => {
      try {
        guard(request);
      } catch (e) {
        if (e instanceof AppError) return refusal(e);
        throw e;
      }
      // a write into a removed data folder would be acknowledged and lost
      if (!READS.has(request.method)) {
        const refused = deps.health.writeRefusal();
        if (refused) return envelopeResponse(Code.internal, refused);
      }
    })
    // routes like POST /task/{id}/stop take no body, and an upload is streamed to disk by its route: neither is JSON
    .onParse({ as: "global" }, ({ request }) =>
      request.body === null || isMaterialUpload(request) ? null : readJsonObject(request),
    )
    .onError({ as: "global" }, ({ code, error, request, body }) => {
      if (error instanceof AppError) return errorResponse(error);
      // errors thrown by our body parser arrive wrapped by Elysia
      if (error instanceof ParseError && error.cause instanceof AppError) return errorResponse(error.cause);
      // an answer that does not match its route's response schema is our fault, not the request's
      if (error instanceof ValidationError && error.type !== "response") {
        return errorResponse(fromValidation(error, body, request));
      }
      if (code === "NOT_FOUND") {
        const path = new URL(request.url).pathname;
        return envelopeResponse(Code.notFound, `no such endpoint: ${request.method} ${path} (see /swagger)`);
      }
      if (code === "PARSE") return envelopeResponse(Code.invalid, "body is not valid JSON");
      const storage = deps.health.storageFailure(error);
      if (storage) return envelopeResponse(Code.internal, storage);
      deps.log.error(
        `internal error on ${request.method} ${request.url}: ${(error as Error)?.stack ?? String(error)}`,
      );
      return envelopeResponse(
        Code.internal,
        `internal error: see the service log (${deps.logFile}, or GET /api/v1/logs)`,
      );
    })
    .use(healthRoutes(deps.health))
    .use(taskRoutes(deps.tasks, deps.evidence, deps.peers))
    .use(deviceRoutes(deps.devices, deps.peers))
    .use(fastUiRoutes(deps.devices, deps.peers))
    .use(eventRoutes(deps.events, deps.streams))
    .use(accountRoutes(deps.accounts))
    .use(licenseRoutes(deps.license))
    .use(logRoutes(deps.logTail, deps.logFile))
    .use(backupRoutes(deps.backUp))
    .use(materialRoutes(deps.materials, deps.peers))
    .use(uiRoutes({ tokenRequired: Boolean(deps.token) }));
  // the docs describe every route above, so they are built from the finished app
  return api.use(docs(api, deps.scripts, deps.docsExamples));
}

export type App = ReturnType<typeof createApp>;

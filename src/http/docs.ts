// Swagger UI at /swagger and the OpenAPI document at /swagger/json, with the UI's files served from inside
// the executable: farm PCs are often offline, so no CDN. The document is generated from the routes, then
// corrected where the generator says more than is true (this API reads JSON bodies only).
import { toOpenAPISchema } from "@elysiajs/openapi";
import { OptionalKind } from "@sinclair/typebox";
import { type AnyElysia, Elysia } from "elysia";
import swaggerCss from "swagger-ui-dist/swagger-ui.css" with { type: "file" };
import swaggerBundle from "swagger-ui-dist/swagger-ui-bundle.js" with { type: "file" };
import { VERSION } from "../config.ts";
import type { ScriptDefinition, ScriptRegistry } from "../scripts/registry.ts";
import {
  API_CODES,
  Code,
  ErrorRef,
  errorResponses,
  GUARD_CODES,
  namedSchemas,
  type ResponseDoc,
} from "./envelope.ts";
import { FAVICON_PATH, favicon } from "./favicon.ts";

const ASSETS = "/swagger/assets";

const DESCRIPTION = `Runs automation scripts on the Android phones plugged into this PC, queued and scheduled per phone.

Every answer under \`/api/v1\` is an envelope \`{ "code", "message", "data" }\`: \`code\` 0 is success;
40001 invalid parameters, 40002 script_name missing, 40003 script not supported, 40004 no account found,
40101 missing or wrong API token, 40301 the plan has no API access, 40302 foreign Origin or Host,
40401 not found, 40901 the task's state does not allow this, 41301 body over 1 MiB, 42901 too many connections
from one client (\`--max-connections-per-client\`, or event streams), 50001 internal error, 50301 all event streams taken,
50302 the farm's node that holds the phone or file cannot be reached (several PCs on one database).
A rejected request changes nothing. Task status: 0 pending, 1 running, 2 completed, 3 failed.
Request bodies are JSON objects (\`Content-Type: application/json\`, at most 32 levels deep). Numbers in paths
and queries are plain decimal digits.

When the service runs with a token, press **Authorize** and give it (sent as \`Authorization: Bearer TOKEN\`).

The operator's dashboard (phones, tasks, new tasks, accounts, materials, license) is at [\`/\`](/); the tasks it
creates have \`source\` "ui".`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <title>Phone farm task service — API</title>
  <link rel="icon" href="${FAVICON_PATH}" />
  <link rel="stylesheet" href="${ASSETS}/swagger-ui.css" />
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${ASSETS}/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({ url: "/swagger/json", dom_id: "#swagger-ui", deepLinking: true, persistAuthorization: true });
  </script>
</body>
</html>`;

type Operation = {
  requestBody?: {
    required?: boolean;
    content: Record<string, { schema: Record<string, unknown>; examples?: Record<string, unknown> }>;
  };
  parameters?: unknown[];
  responses?: Record<string, ResponseDoc>;
  security?: unknown[];
};

/** What the request examples name: phones attached now and the demo's sample media, so that they run as they are. */
export interface DocsExamples {
  /** Asked each time the document is served: the phones attached change (a demo on other ports than usual). */
  serials: () => string[];
  /** The material library's tag of the demo's sample media. */
  materialsTag: string;
}

/** One example per script, each of which a demo service accepts ("Try it out"). */
function createTaskExamples(scripts: ScriptDefinition[], examples: DocsExamples, serials: string[]) {
  return Object.fromEntries(
    scripts.map((s) => [
      s.name,
      {
        summary: `${s.name}: ${s.description}`,
        value: {
          serials,
          script_name: s.name,
          // files named in an example would not be on the reader's PC: post the demo's sample video from
          // the material library
          script_config:
            s.name === "post"
              ? {
                  content_type: 0,
                  captions: "{Hello|Hi} from the farm #demo",
                  material_source: "materialLibrary",
                  materials_tags: examples.materialsTag,
                }
              : s.example,
        },
      },
    ]),
  );
}

/**
 * openapi-typescript (default options) makes every field with a `default` required in a named schema, so a
 * generated client could not leave one out; the defaults are said in words instead.
 */
function defaultsInWords(schema: Record<string, unknown>) {
  const copy = JSON.parse(JSON.stringify(schema)) as { properties?: Record<string, Record<string, unknown>> };
  for (const field of Object.values(copy.properties ?? {})) {
    if (!("default" in field)) continue;
    const said = `default ${JSON.stringify(field.default)}`;
    field.description = field.description ? `${field.description}; ${said}` : said;
    delete field.default;
  }
  return copy;
}

const COMPONENTS = "#/components/schemas/";

/** POST /task's body for `script`: its script_name is that name, its script_config that script's schema. */
function createRequestOf(body: Record<string, unknown>, script: ScriptDefinition) {
  const copy = defaultsInWords(body) as { properties: Record<string, unknown> };
  return {
    ...copy,
    title: `POST /api/v1/task for "${script.name}"`,
    properties: {
      ...copy.properties,
      script_name: { type: "string", const: script.name, description: `"${script.name}" (missing → 40002)` },
      script_config: { $ref: `${COMPONENTS}ScriptConfig_${script.name}` },
    },
  };
}

/** The OpenAPI document of `app`, its examples naming `serials`. */
function buildDocument(app: AnyElysia, registry: ScriptRegistry, examples: DocsExamples, serials: string[]) {
  const paths = toOpenAPISchema(app).paths as Record<string, Record<string, Operation>>;
  for (const route of app.routes) {
    const path = route.path.replace(/:(\w+)/g, "{$1}");
    const op = paths[path]?.[route.method.toLowerCase()];
    if (!op) continue;
    const body = (route.hooks as { body?: Record<string, unknown> }).body;
    // a copy: the route validates with the original
    if (body)
      op.requestBody = {
        // an optional body (retry, retry-all) may be left out: the public docs send none
        required: !(OptionalKind in body),
        content: { "application/json": { schema: JSON.parse(JSON.stringify(body)) } },
      };
    const api = path.startsWith("/api/v1");
    if (!api) op.security = [];
    // the refusals of the guard and of the body parser (any body sent is read), also where a route's own
    // description left them out; every refusal is an envelope
    const codes = api ? [...API_CODES] : [...GUARD_CODES];
    if (op.parameters?.length || route.method !== "GET") codes.push(Code.invalid);
    // a route's own description of its answers, not the one generated from the schema it checks them by
    const described = (route.hooks as { detail?: { responses?: Record<string, ResponseDoc> } }).detail
      ?.responses;
    const responses = { ...errorResponses(codes), ...(described ?? op.responses) };
    for (const [status, response] of Object.entries(responses)) {
      if (Number(status) >= 400 && !response.content) {
        response.content = { "application/json": { schema: JSON.parse(JSON.stringify(ErrorRef)) } };
      }
    }
    op.responses = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
  }
  const scripts = registry.list();
  // script_config is checked per script: the body is one schema per script, told apart by script_name, so
  // that a client generated from the document takes each script's config alone
  const create = paths["/api/v1/task"]?.post?.requestBody?.content["application/json"];
  const createRequests: Record<string, unknown> = {};
  if (create) {
    const mapping = Object.fromEntries(scripts.map((s) => [s.name, `${COMPONENTS}CreateTask_${s.name}`]));
    for (const s of scripts) createRequests[`CreateTask_${s.name}`] = createRequestOf(create.schema, s);
    create.schema = {
      description: `one of ${scripts.length} bodies, by script_name (missing → 40002, unknown → 40003)`,
      oneOf: Object.values(mapping).map(($ref) => ({ $ref })),
      discriminator: { propertyName: "script_name", mapping },
    };
    create.examples = createTaskExamples(scripts, examples, serials);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Phone farm task service",
      version: VERSION,
      description: DESCRIPTION,
      license: { name: "Proprietary", identifier: "LicenseRef-Proprietary" },
    },
    servers: [{ url: "/", description: "this service" }],
    tags: [
      { name: "tasks", description: "create, list, stop, retry and delete automation tasks" },
      { name: "devices", description: "the phones the service has seen" },
      { name: "accounts", description: "the accounts on the phones (username mode)" },
      { name: "license", description: "the plan in force" },
      { name: "service", description: "the service itself: its health, its log, backups of its database" },
    ],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "the --token the service runs with" },
      },
      schemas: {
        ...JSON.parse(JSON.stringify(namedSchemas())),
        ...createRequests,
        ...Object.fromEntries(
          scripts.map((s) => [
            `ScriptConfig_${s.name}`,
            {
              ...defaultsInWords(s.configSchema),
              title: `script_config of "${s.name}"`,
              description: s.description,
              example: s.example,
            },
          ]),
        ),
      },
    },
  };
}

/**
 * Routes for the docs of `app` (pass the finished app: the document is built from its routes) and of the
 * scripts of `registry`.
 */
export function docs(app: AnyElysia, registry: ScriptRegistry, examples: DocsExamples) {
  // built again only when the phones its examples name changed
  let built: { serials: string; document: ReturnType<typeof buildDocument> } | undefined;
  const hidden = { detail: { hide: true } };
  return new Elysia()
    .get(
      "/swagger",
      () => new Response(PAGE, { headers: { "content-type": "text/html; charset=utf-8" } }),
      hidden,
    )
    .get(
      "/swagger/json",
      () => {
        const serials = examples.serials();
        if (built?.serials !== serials.join()) {
          built = { serials: serials.join(), document: buildDocument(app, registry, examples, serials) };
        }
        return built.document;
      },
      hidden,
    )
    .get(FAVICON_PATH, favicon, hidden)
    .get(`${ASSETS}/swagger-ui-bundle.js`, () => new Response(Bun.file(swaggerBundle)), hidden)
    .get(`${ASSETS}/swagger-ui.css`, () => new Response(Bun.file(swaggerCss)), hidden);
}

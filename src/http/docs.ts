// Swagger UI at /swagger and the OpenAPI document at /swagger/json, with the UI's files served from inside
// the executable: farm PCs are often offline, so no CDN.
import { openapi } from "@elysiajs/openapi";
import { Elysia } from "elysia";
import swaggerCss from "swagger-ui-dist/swagger-ui.css" with { type: "file" };
import swaggerBundle from "swagger-ui-dist/swagger-ui-bundle.js" with { type: "file" };
import { VERSION } from "../config.ts";
import { listScripts } from "../scripts/registry.ts";

const ASSETS = "/swagger/assets";

const DESCRIPTION = `Runs automation scripts on the Android phones plugged into this PC, queued and scheduled per phone.

Every answer under \`/api/v1\` is an envelope \`{ "code", "message", "data" }\`: \`code\` 0 is success;
40001 invalid parameters, 40002 script_name missing, 40003 script not supported, 40004 no account found,
40101 missing or wrong API token, 40301 the plan has no API access, 40302 foreign Origin or Host,
40401 not found, 40901 the task's state does not allow this, 41301 body over 1 MiB, 50001 internal error.
A rejected request changes nothing. Task status: 0 pending, 1 running, 2 completed, 3 failed.

When the service runs with a token, press **Authorize** and give it (sent as \`Authorization: Bearer TOKEN\`).`;

export function docs() {
  const scriptSchemas = Object.fromEntries(
    listScripts().map((s) => [`ScriptConfig_${s.name}`, s.configSchema]),
  );
  return new Elysia()
    .get(`${ASSETS}/swagger-ui-bundle.js`, () => new Response(Bun.file(swaggerBundle)), {
      detail: { hide: true },
    })
    .get(`${ASSETS}/swagger-ui.css`, () => new Response(Bun.file(swaggerCss)), { detail: { hide: true } })
    .use(
      openapi({
        path: "/swagger",
        specPath: "/swagger/json",
        provider: "swagger-ui",
        swagger: {
          cdn: `${ASSETS}/swagger-ui-bundle.js`,
          theme: `${ASSETS}/swagger-ui.css`,
          autoDarkMode: false,
        },
        exclude: { paths: [`${ASSETS}/swagger-ui-bundle.js`, `${ASSETS}/swagger-ui.css`] },
        documentation: {
          info: { title: "Phone farm task service", version: VERSION, description: DESCRIPTION },
          servers: [{ url: "/", description: "this service" }],
          tags: [
            { name: "tasks", description: "create, list, stop, retry and delete automation tasks" },
            { name: "devices", description: "the phones the service has seen" },
            { name: "accounts", description: "the accounts on the phones (username mode)" },
            { name: "license", description: "the plan in force" },
            { name: "service", description: "health of the service itself" },
          ],
          components: {
            securitySchemes: {
              bearer: { type: "http", scheme: "bearer", description: "the --token the service runs with" },
            },
            // biome-ignore lint/suspicious/noExplicitAny: TypeBox schemas are JSON Schema objects
            schemas: scriptSchemas as any,
          },
        },
      }),
    );
}

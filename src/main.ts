// Entry: read the config, start the service, stop it cleanly on SIGINT/SIGTERM.
import { ConfigError, parseConfig, usage, VERSION } from "./config.ts";
import { startDemoPhones } from "./demo.ts";
import { runLicenseCommand } from "./license/cli.ts";
import { registerScript } from "./scripts/registry.ts";
import { testScript } from "./scripts/testing.ts";
import { createService } from "./server.ts";

const log = (line: string) => console.error(`${new Date().toISOString()} ${line}`);

async function main(argv: string[]): Promise<number> {
  if (argv[0] === "license") return runLicenseCommand(argv.slice(1));
  let parsed: ReturnType<typeof parseConfig>;
  try {
    parsed = parseConfig(argv, process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`farm-tasks: ${e.message}`);
      return 2;
    }
    throw e;
  }
  if (parsed.kind === "help") {
    console.log(usage());
    return 0;
  }
  if (parsed.kind === "version") {
    console.log(VERSION);
    return 0;
  }
  const config = parsed.config;
  if (process.env.FARM_TEST_SCRIPTS === "1") registerScript(testScript);
  const service = createService(config, { log });
  let server: ReturnType<typeof Bun.serve>;
  try {
    server = Bun.serve({
      hostname: config.host,
      port: config.port,
      fetch: (request) => service.app.handle(request),
      // our own limits (1 MiB for JSON, --material-max-size for uploads, answered with 41301) are checked
      // first; this outer bound must let the largest upload through (it is streamed, never held whole)
      maxRequestBodySize: Math.max(8 * 1024 * 1024, config.materialMaxBytes + 2 * 1024 * 1024),
    });
  } catch (e) {
    console.error(`farm-tasks: cannot listen on ${config.host}:${config.port}: ${(e as Error).message}`);
    await service.stop(0);
    return 1;
  }
  const plan = service.license.state();
  log(
    `farm-tasks ${VERSION} listening on http://${config.host}:${server.port} (Swagger: /swagger), ` +
      `data ${config.dataDir}, time zone ${config.timezone}, plan ${plan.plan_name}` +
      `${config.token ? ", token required" : ""}`,
  );

  // a signal during start-up waits for start-up to finish, then stops cleanly
  const signalled = new Promise<string>((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
  await service.start();
  const demo = config.simulate > 0 ? await startDemoPhones(config.simulate, service.fleet, log) : null;

  const signal = await signalled;
  log(`${signal}: shutting down (running tasks get up to ${config.gracePeriodS} s)`);
  await server.stop(true);
  await service.stop();
  await demo?.stop();
  log("stopped");
  return 0;
}

process.exit(await main(process.argv.slice(2)));

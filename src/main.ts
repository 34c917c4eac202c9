// Entry: read the config, start the service, stop it cleanly on SIGINT/SIGTERM.
import { ConfigError, parseConfig, usage, VERSION, versionLine } from "./config.ts";
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
    console.log(versionLine());
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
      // our own limit (1 MiB, answered with 41301) is checked first; this only bounds memory
      maxRequestBodySize: 8 * 1024 * 1024,
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
  // on Windows Ctrl-Break is SIGBREAK and closing the console window SIGHUP (elsewhere SIGHUP keeps its
  // meaning: nohup'ed services must survive their terminal)
  const signals = ["SIGINT", "SIGTERM", ...(process.platform === "win32" ? ["SIGBREAK", "SIGHUP"] : [])];
  const signalled = new Promise<string>((resolve) => {
    for (const name of signals) process.once(name, () => resolve(name));
  });
  await service.start();
  const demo = config.simulate > 0 ? await startDemoPhones(config.simulate, service.fleet, log) : null;

  const signal = await signalled;
  // Windows ends a process a few seconds after its console window closes
  const graceS = signal === "SIGHUP" ? Math.min(config.gracePeriodS, 4) : config.gracePeriodS;
  log(`${signal}: shutting down (running tasks get up to ${graceS} s)`);
  await server.stop(true);
  await service.stop(graceS * 1000);
  await demo?.stop();
  log("stopped");
  return 0;
}

process.exit(await main(process.argv.slice(2)));

// Entry: read the config, start the service, stop it cleanly on SIGINT/SIGTERM.
import { accessSync, constants } from "node:fs";
import { join } from "node:path";
import { type Config, ConfigError, parseConfig, usage, VERSION, versionLine } from "./config.ts";
import { ensurePrivateDataDir } from "./data-dir.ts";
import { startDemo } from "./demo.ts";
import { Connections } from "./http/clients.ts";
import { runLicenseCommand } from "./license/cli.ts";
import { inUseMessage, noteHolder } from "./lock.ts";
import { consoleSink, fileSink, Logger, LogTail, logFile, teeSink } from "./log.ts";
import { thirdPartyNotices } from "./notices.macro.ts" with { type: "macro" };
import { testScript } from "./scripts/test-sleep/index.ts";
import { createService, type Service } from "./server.ts";
import { DatabaseDamaged, DatabaseLocked, DatabaseUnreachable } from "./store/db.ts";
import { SecretKeyProblem } from "./store/secret-box.ts";
import { type Clock, fasterClock, systemClock } from "./tasks/clock.ts";

/** Set by build.ts: true in the test suite's build, false in a release build; undefined from source. */
declare const FARM_BUILD_TEST_SCRIPTS: boolean | undefined;

/**
 * test_sleep, asked for by FARM_TEST_SCRIPTS=1: honoured by the test suite's build and from source, never by
 * a release build.
 */
const testScripts = (): (typeof testScript)[] =>
  (typeof FARM_BUILD_TEST_SCRIPTS !== "boolean" || FARM_BUILD_TEST_SCRIPTS) &&
  process.env.FARM_TEST_SCRIPTS === "1"
    ? [testScript]
    : [];

/**
 * The service's clock: the system's, or in the test suite's build (and from source) one that runs
 * FARM_TEST_CLOCK_RATE times faster, for tests of long tasks through the executable. A release build never.
 * FARM_TEST_CLOCK_START (ms since the epoch, in the past) is where the faster time starts from, else this
 * start: the nodes of one farm test, started at different moments, then read the same time (their
 * heartbeats, and the runs of a phone two of them share, compare).
 */
function serviceClock(): Clock {
  const rate = Number(process.env.FARM_TEST_CLOCK_RATE);
  const allowed = typeof FARM_BUILD_TEST_SCRIPTS !== "boolean" || FARM_BUILD_TEST_SCRIPTS;
  if (!allowed || !Number.isFinite(rate) || rate <= 1) return systemClock;
  const start = Number(process.env.FARM_TEST_CLOCK_START);
  return Number.isFinite(start) && start > 0 && start <= Date.now()
    ? fasterClock(rate, systemClock, start)
    : fasterClock(rate);
}

/** A start-up failure: one line for the operator, exit code 2, nothing changed. */
class StartupFailure extends Error {}

/** What went wrong opening the data folder or its database, said as what to do about it. */
function explain(e: unknown, config: Config): string {
  const dbFile = join(config.dataDir, "farm.db");
  if (e instanceof DatabaseLocked) return inUseMessage(config.dataDir);
  if (e instanceof DatabaseDamaged || e instanceof SecretKeyProblem || e instanceof DatabaseUnreachable)
    return e.message;
  const err = e as { code?: string; message?: string };
  const code = String(err.code ?? "");
  const message = String(err.message ?? e);
  if (code === "EACCES" || code === "EPERM" || code === "EROFS")
    return `the data folder ${config.dataDir} is not writable (${code}): fix its permissions or choose another with --data-dir`;
  if (code === "SQLITE_NOTADB" || /not a database/i.test(message))
    return `${dbFile} is not a farm-tasks database: move it away or choose another --data-dir`;
  if (code.startsWith("SQLITE_CORRUPT") || /malformed/i.test(message))
    return `${dbFile} is damaged (${message}): restore it from a backup or move it away`;
  if (
    code.startsWith("SQLITE_CANTOPEN") ||
    code.startsWith("SQLITE_READONLY") ||
    code.startsWith("SQLITE_PERM")
  )
    return `cannot open ${dbFile} for reading and writing (${message}): fix its permissions`;
  if (code === "SQLITE_FULL" || code === "ENOSPC")
    return `the disk holding ${config.dataDir} is full: free some space`;
  return `cannot start with the data folder ${config.dataDir}: ${code ? `${code}: ` : ""}${message}`;
}

/**
 * The service log: the console, DATA_DIR/logs/farm.log (rotated by size) and the tail the API serves; and
 * beside it the start-up and shutdown lines, written whatever --log-level says: they say where the service
 * listens and that it stopped.
 */
function serviceLog(config: Config, clock: Clock) {
  const file = logFile(config.dataDir);
  const onError = (e: unknown) =>
    console.error(
      `farm-tasks: cannot write the log file ${file} (${(e as Error).message}); the console has it all`,
    );
  const logTail = new LogTail();
  const sinks = teeSink(
    consoleSink,
    fileSink(file, { maxBytes: config.logMaxBytes, maxFiles: config.logMaxFiles, onError }),
    logTail,
  );
  return {
    log: new Logger(sinks, { level: config.logLevel, clock }),
    banner: new Logger(sinks, { clock }),
    logTail,
  };
}

/** The data folder exists, is private and we may write in it; then the database, locked before anything else. */
async function openDataDir(config: Config): Promise<{ service: Service; log: Logger; banner: Logger }> {
  try {
    ensurePrivateDataDir(config.dataDir);
    accessSync(config.dataDir, constants.W_OK | constants.R_OK | constants.X_OK);
    const clock = serviceClock();
    const { log, banner, logTail } = serviceLog(config, clock);
    // the database's lock comes first: only its holder may recover the tasks an earlier instance left running
    const service = await createService(config, { log, logTail, scripts: testScripts(), clock });
    noteHolder(config.dataDir);
    return { service, log, banner };
  } catch (e) {
    throw new StartupFailure(explain(e, config));
  }
}

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
  if (parsed.kind === "licenses") {
    console.log(thirdPartyNotices());
    return 0;
  }
  const config = parsed.config;
  // the port first: a busy port must not leave a farm.db behind
  let service: Service | undefined;
  let log: Logger;
  let banner: Logger;
  let draining = false;
  let inFlight = 0;
  const connections = new Connections(config.maxConnectionsPerClient, config.idleTimeoutS);
  let server: ReturnType<typeof Bun.serve>;
  try {
    server = Bun.serve({
      hostname: config.host,
      port: config.port,
      // no connection is exempt, except an event stream the API let in (it lifts the timeout itself)
      idleTimeout: config.idleTimeoutS,
      fetch: (request, srv) => {
        if (!service) return new Response("starting", { status: 503 });
        const answered = connections.admit(request, srv);
        if (answered instanceof Response) return answered;
        inFlight++;
        return service.app.handle(request).then(
          (res) => {
            inFlight--;
            answered();
            // shutting down: tell the client not to send more on this connection
            if (draining) res.headers.set("connection", "close");
            return res;
          },
          (e) => {
            inFlight--;
            answered();
            throw e;
          },
        );
      },
      // no limit of Bun's (its bare 413 has no envelope): the API reads at most 1 MiB of a body and
      // answers 41301 past that, whatever the Content-Length says or however long a chunked body runs
      maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    });
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why = code === "EADDRINUSE" ? "is in use" : `cannot be used (${(e as Error).message})`;
    console.error(
      `farm-tasks: port ${config.host}:${config.port} ${why}: stop what uses it, or choose another with --port`,
    );
    return 2;
  }
  try {
    ({ service, log, banner } = await openDataDir(config));
  } catch (e) {
    await server.stop(true);
    if (e instanceof StartupFailure) {
      console.error(`farm-tasks: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const plan = service.license.state();
  banner.info(
    `farm-tasks ${VERSION} listening on http://${config.host}:${server.port} (Swagger: /swagger), ` +
      `data ${config.dataDir}, log ${logFile(config.dataDir)}, time zone ${config.timezone}, plan ${plan.plan_name}` +
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
  const demo =
    config.simulate > 0
      ? await startDemo(
          config.simulate,
          service,
          join(config.dataDir, "materials"),
          log,
          config.realistic,
          config.latencyProfile,
        )
      : null;

  const signal = await signalled;
  // Windows ends a process a few seconds after its console window closes
  const graceS = signal === "SIGHUP" ? Math.min(config.gracePeriodS, 4) : config.gracePeriodS;
  banner.info(`${signal}: shutting down (running tasks get up to ${graceS} s)`);
  // drain: refuse new connections, answer the requests in flight, end the endless event streams
  draining = true;
  void server.stop(false);
  service.closeEventStreams();
  // quiet for a moment: a request already sent on an open connection may not have been read yet
  const drainUntil = Date.now() + 10_000;
  for (let quiet = 0; quiet < 5 && Date.now() < drainUntil; ) {
    await Bun.sleep(20);
    quiet = inFlight === 0 ? quiet + 1 : 0;
  }
  await server.stop(true);
  await service.stop(graceS * 1000);
  await demo?.stop();
  banner.info("stopped");
  return 0;
}

process.exit(await main(process.argv.slice(2)));

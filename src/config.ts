// Every knob of the service in one place: flags > environment > defaults.
import { hostname, networkInterfaces } from "node:os";
import nodePath, { isAbsolute, resolve } from "node:path";
import pkg from "../package.json" with { type: "json" };
import { DEMO_LATENCY_PROFILES, type LatencyProfileName } from "./demo.ts";
import { BUILT_WITH_TEST_KEY } from "./license/vendor-key.ts";
import { LEVELS, type Level } from "./log.ts";

/** Stamped in by build.ts (`define`); undefined when running from source. */
declare const FARM_BUILD_COMMIT: string | undefined;

export const VERSION: string = pkg.version;
/** The git commit the executable was built from, or null when running from source. */
export const COMMIT: string | null = typeof FARM_BUILD_COMMIT === "string" ? FARM_BUILD_COMMIT : null;

/** What `--version` prints: the version and the commit it was built from. */
export function versionLine(): string {
  const from = COMMIT ? `commit ${COMMIT}` : "from source";
  const testKey = BUILT_WITH_TEST_KEY ? ", test build: trusts the TEST-ONLY license key" : "";
  return `farm-tasks ${VERSION} (${from}${testKey})`;
}

/**
 * The data folder when none is given: beside the executable (wherever it was started from, e.g. a
 * Windows shortcut whose working folder is System32), or ./data when running from source.
 */
export function defaultDataDir(
  compiled = COMMIT !== null,
  executable = process.execPath,
  path: typeof nodePath.win32 = nodePath,
): string {
  return compiled ? path.join(path.dirname(executable), "data") : path.resolve("data");
}

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  timezone: string;
  token: string | null;
  licenseFile: string | null;
  adb: { host: string; port: number };
  /** The adb executable that starts a local adb server: "adb" is looked for on PATH and in the usual places. */
  adbPath: string;
  /** Extra names accepted in the Host header, besides localhost, 127.0.0.1 and [::1]. */
  allowedHosts: string[];
  /** Virtual phones to start in-process (demo mode). */
  simulate: number;
  /** The demo's phones behave like real ones (screen changes take time, a keyboard, toasts, …). */
  realistic: boolean;
  /** The demo's phones take a real phone's time per command (`real-usb`), or none (null). */
  latencyProfile: LatencyProfileName | null;
  /** Phones read their screens and tap through Appium's UiAutomator2 server (those without a choice of their own). */
  fastUi: boolean;
  /** Automatic retries of a retryable failure, and the random delay before each, in seconds. */
  retryMax: number;
  retryDelayS: [number, number];
  /** Seconds running tasks get to finish on shutdown before they are interrupted. */
  gracePeriodS: number;
  /** Per-script maximum run time overrides, in seconds. */
  scriptTimeouts: Record<string, number>;
  evidenceMaxAgeDays: number;
  evidenceMaxMb: number;
  webhookUrl: string | null;
  webhookSecret: string | null;
  /**
   * A PostgreSQL URL (postgres://USER:PASSWORD@HOST:PORT/DB) the farm's PCs share; null: SQLite in DATA_DIR
   * (farm.db), for a farm of one PC.
   */
  database: string | null;
  /** This PC's name on the farm (default: the host name); it registers under it and heartbeats. */
  node: string;
  /**
   * Where the farm's other PCs reach this one's API (http://HOST:PORT), for what needs this PC's phones or
   * files; null: it listens on this PC only and no other node can reach it. Default: from --host and --port.
   */
  nodeUrl: string | null;
  /** Largest file POST /api/v1/material accepts as an upload, in bytes. */
  materialMaxBytes: number;
  /** Seconds a connection may sit idle between requests before the service closes it. */
  idleTimeoutS: number;
  /** Requests one client address may have open at once (event streams included). */
  maxConnectionsPerClient: number;
  /** The service log's lowest level kept (console, file, GET /api/v1/logs). */
  logLevel: Level;
  /** DATA_DIR/logs/farm.log is rotated past this size; this many files are kept. */
  logMaxBytes: number;
  logMaxFiles: number;
}

export class ConfigError extends Error {}

/** A PostgreSQL URL, checked; a message about it never shows its password. */
export function parseDatabaseUrl(raw: string): string {
  let url: URL | null = null;
  try {
    url = new URL(raw);
  } catch {
    // named without the text: it may hold a password
  }
  if (!url || (url.protocol !== "postgres:" && url.protocol !== "postgresql:")) {
    const shown = url ? maskDatabaseUrl(url.href) : "the value given";
    throw new ConfigError(`--database: ${shown} is not a postgres://USER:PASSWORD@HOST:PORT/DATABASE URL`);
  }
  if (!url.hostname) throw new ConfigError(`--database: ${maskDatabaseUrl(url.href)} names no host`);
  if (url.pathname.length <= 1) {
    throw new ConfigError(`--database: ${maskDatabaseUrl(url.href)} names no database (…/DATABASE)`);
  }
  return url.href;
}

/** The URL with its password as "***", as messages and logs show it. */
export function maskDatabaseUrl(href: string): string {
  if (!URL.canParse(href)) return "(a database URL)";
  const url = new URL(href);
  if (url.password) url.password = "***";
  for (const name of new Set(url.searchParams.keys())) {
    if (/pass|secret|key|token/i.test(name)) url.searchParams.set(name, "***");
  }
  return url.href;
}

interface Option {
  flag: string;
  env: string;
  /** What follows the flag ("" for a switch: the flag alone means on; the environment says 1 or 0). */
  value: string;
  help: string;
  parse: (raw: string, c: Config) => void;
}

function int(name: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name}: "${raw}" is not a whole number`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${name}: ${n} is outside ${min}–${max}`);
  return n;
}

type IntKey = { [K in keyof Config]: Config[K] extends number ? K : never }[keyof Config];

/** An option whose value is a whole number in [min, max], stored in `key`. */
function intOption(
  flag: string,
  env: string,
  value: string,
  help: string,
  key: IntKey,
  min: number,
  max: number,
): Option {
  return {
    flag,
    env,
    value,
    help,
    parse: (raw, c) => {
      c[key] = int(flag, raw, min, max);
    },
  };
}

const SIZE_UNITS: Record<string, number> = { "": 1024 ** 2, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** "500" (MB), "500MB", "2GB", "64kb" → bytes (binary units: 1 GB = 1024 MB). */
export function parseSize(name: string, raw: string): number {
  const m = /^(\d+)\s*(kb|mb|gb|)$/i.exec(raw.trim());
  if (!m?.[1]) throw new ConfigError(`${name}: "${raw}" is not a size (e.g. 500MB, 2GB)`);
  const bytes = Number(m[1]) * (SIZE_UNITS[(m[2] ?? "").toLowerCase()] as number);
  if (bytes < 1024 || bytes > 1024 ** 4) throw new ConfigError(`${name}: ${raw} is outside 1KB–1024GB`);
  return bytes;
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function parseHostPort(name: string, raw: string): { host: string; port: number } {
  const m = /^(.+):(\d+)$/.exec(raw);
  if (!m?.[1] || !m[2]) throw new ConfigError(`${name}: "${raw}" is not HOST:PORT`);
  return { host: m[1].replace(/^\[(.*)\]$/, "$1"), port: int(name, m[2], 1, 65535) };
}

const OPTIONS: Option[] = [
  intOption("--port", "FARM_PORT", "N", "HTTP port (default 50809)", "port", 0, 65535),
  {
    flag: "--host",
    env: "FARM_HOST",
    value: "ADDR",
    help: "address to listen on (default 127.0.0.1); anything but loopback needs --token",
    parse: (raw, c) => {
      if (!raw) throw new ConfigError("--host: empty");
      c.host = raw;
    },
  },
  {
    flag: "--data-dir",
    env: "FARM_DATA_DIR",
    value: "DIR",
    help: "folder for the database, keys and evidence (default: data beside the executable; ./data run from source)",
    parse: (raw, c) => {
      if (!raw) throw new ConfigError("--data-dir: empty");
      c.dataDir = isAbsolute(raw) ? raw : resolve(raw);
    },
  },
  {
    flag: "--timezone",
    env: "FARM_TIMEZONE",
    value: "TZ",
    help: "IANA time zone for start_time (default: the system's)",
    parse: (raw, c) => {
      if (!isValidTimeZone(raw)) throw new ConfigError(`--timezone: unknown time zone "${raw}"`);
      c.timezone = raw;
    },
  },
  {
    flag: "--token",
    env: "FARM_TOKEN",
    value: "TOKEN",
    help: "API token; when set, /api/v1 needs Authorization: Bearer TOKEN",
    parse: (raw, c) => {
      if (raw.length < 8) throw new ConfigError("--token: use at least 8 characters");
      c.token = raw;
    },
  },
  {
    flag: "--license",
    env: "FARM_LICENSE",
    value: "FILE",
    help: "license file (default: DATA_DIR/license.json if present; none = Free plan)",
    parse: (raw, c) => {
      c.licenseFile = raw ? resolve(raw) : null;
    },
  },
  {
    flag: "--adb",
    env: "FARM_ADB",
    value: "HOST:PORT",
    help: "adb server address (default 127.0.0.1:5037)",
    parse: (raw, c) => {
      c.adb = parseHostPort("--adb", raw);
    },
  },
  {
    flag: "--adb-path",
    env: "FARM_ADB_PATH",
    value: "FILE",
    help: "the adb executable that starts a local adb server (default: adb on PATH or in the usual places)",
    parse: (raw, c) => {
      c.adbPath = raw ? resolve(raw) : "adb";
    },
  },
  {
    flag: "--allowed-hosts",
    env: "FARM_ALLOWED_HOSTS",
    value: "NAMES",
    help: "comma-separated extra host names accepted in the Host header",
    parse: (raw, c) => {
      c.allowedHosts = raw
        .split(",")
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean);
    },
  },
  intOption(
    "--idle-timeout",
    "FARM_IDLE_TIMEOUT",
    "S",
    "seconds an idle connection stays open before the service closes it (default 10; event streams excepted)",
    "idleTimeoutS",
    1,
    255,
  ),
  intOption(
    "--max-connections-per-client",
    "FARM_MAX_CONNECTIONS_PER_CLIENT",
    "N",
    "requests one client address may have open at once, event streams included (default 64)",
    "maxConnectionsPerClient",
    1,
    100000,
  ),
  intOption(
    "--retry-max",
    "FARM_RETRY_MAX",
    "N",
    "automatic retries of a retryable failure (default 2; 0 = none)",
    "retryMax",
    0,
    100,
  ),
  {
    flag: "--retry-delay",
    env: "FARM_RETRY_DELAY",
    value: "MIN-MAX",
    help: "seconds before an automatic retry, picked at random in the range (default 60-300)",
    parse: (raw, c) => {
      const m = /^(\d+)-(\d+)$/.exec(raw);
      if (!m?.[1] || !m[2]) throw new ConfigError(`--retry-delay: "${raw}" is not MIN-MAX in seconds`);
      const range: [number, number] = [
        int("--retry-delay", m[1], 0, 86400),
        int("--retry-delay", m[2], 0, 86400),
      ];
      if (range[1] < range[0]) throw new ConfigError(`--retry-delay: ${raw}: MAX is less than MIN`);
      c.retryDelayS = range;
    },
  },
  intOption(
    "--grace-period",
    "FARM_GRACE_PERIOD",
    "S",
    "seconds running tasks get to finish on shutdown (default 30)",
    "gracePeriodS",
    0,
    3600,
  ),
  {
    flag: "--script-timeout",
    env: "FARM_SCRIPT_TIMEOUT",
    value: "NAME=S,…",
    help: "maximum run time per script, e.g. post=1200,follow=120 (default: each script's own)",
    parse: (raw, c) => {
      for (const part of raw.split(",").filter(Boolean)) {
        const m = /^([a-z_]+)=(\d+)$/.exec(part.trim());
        if (!m?.[1] || !m[2]) throw new ConfigError(`--script-timeout: "${part}" is not NAME=SECONDS`);
        c.scriptTimeouts[m[1]] = int("--script-timeout", m[2], 1, 86400);
      }
    },
  },
  intOption(
    "--evidence-max-age",
    "FARM_EVIDENCE_MAX_AGE",
    "DAYS",
    "failure screenshots and UI dumps older than this are deleted (default 14)",
    "evidenceMaxAgeDays",
    1,
    3650,
  ),
  intOption(
    "--evidence-max-size",
    "FARM_EVIDENCE_MAX_SIZE",
    "MB",
    "total size kept for failure evidence, oldest deleted first (default 500)",
    "evidenceMaxMb",
    1,
    1000000,
  ),
  {
    flag: "--webhook-url",
    env: "FARM_WEBHOOK_URL",
    value: "URL",
    help: "POST each task's completion or failure here (needs --webhook-secret)",
    parse: (raw, c) => {
      if (!raw) return;
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        throw new ConfigError(`--webhook-url: "${raw}" is not a URL`);
      }
      if (url.protocol !== "http:" && url.protocol !== "https:") {
        throw new ConfigError(`--webhook-url: "${raw}" is not http(s)`);
      }
      c.webhookUrl = url.toString();
    },
  },
  {
    flag: "--database",
    env: "FARM_DATABASE_URL",
    value: "URL",
    help: "postgres://USER:PASSWORD@HOST:PORT/DB shared by every PC of the farm (default: SQLite in DATA_DIR)",
    parse: (raw, c) => {
      if (!raw) return;
      c.database = parseDatabaseUrl(raw);
    },
  },
  {
    flag: "--node",
    env: "FARM_NODE",
    value: "NAME",
    help: "this PC's name on the farm (default: the host name)",
    parse: (raw, c) => {
      const name = raw.trim();
      if (!/^[\w.-]{1,64}$/.test(name)) {
        throw new ConfigError(`--node: "${raw}" is not a name (letters, digits, ".", "-", "_"; at most 64)`);
      }
      c.node = name;
    },
  },
  {
    flag: "--node-url",
    env: "FARM_NODE_URL",
    value: "URL",
    help: "where the farm's other PCs reach this one (default: http://ADDRESS:PORT from --host, with --database)",
    parse: (raw, c) => {
      const url = URL.parse(raw.trim());
      if (
        !url ||
        (url.protocol !== "http:" && url.protocol !== "https:") ||
        url.pathname !== "/" ||
        url.search
      )
        throw new ConfigError(`--node-url: "${raw}" is not http://HOST:PORT`);
      c.nodeUrl = url.origin;
    },
  },
  {
    flag: "--webhook-secret",
    env: "FARM_WEBHOOK_SECRET",
    value: "SECRET",
    help: "key of the X-Farm-Signature HMAC-SHA256 header on webhook posts",
    parse: (raw, c) => {
      if (raw && raw.length < 8) throw new ConfigError("--webhook-secret: use at least 8 characters");
      c.webhookSecret = raw || null;
    },
  },
  {
    flag: "--material-max-size",
    env: "FARM_MATERIAL_MAX_SIZE",
    value: "SIZE",
    help: "largest material upload, in MB, or with a unit: 500MB, 2GB (default 1GB)",
    parse: (raw, c) => {
      c.materialMaxBytes = parseSize("--material-max-size", raw);
    },
  },
  {
    flag: "--log-level",
    env: "FARM_LOG_LEVEL",
    value: "LEVEL",
    help: `lowest level the service log keeps: ${LEVELS.join(", ")} (default info)`,
    parse: (raw, c) => {
      const level = LEVELS.find((l) => l === raw.toLowerCase());
      if (!level) throw new ConfigError(`--log-level: "${raw}" is not one of ${LEVELS.join(", ")}`);
      c.logLevel = level;
    },
  },
  {
    flag: "--log-max-size",
    env: "FARM_LOG_MAX_SIZE",
    value: "SIZE",
    help: "DATA_DIR/logs/farm.log is rotated past this size, in MB or with a unit (default 10MB)",
    parse: (raw, c) => {
      c.logMaxBytes = parseSize("--log-max-size", raw);
    },
  },
  intOption(
    "--log-max-files",
    "FARM_LOG_MAX_FILES",
    "N",
    "log files kept, the current one included (default 5)",
    "logMaxFiles",
    1,
    100,
  ),
  intOption(
    "--simulate",
    "FARM_SIMULATE",
    "N",
    "start N virtual phones in-process (demo mode)",
    "simulate",
    0,
    500,
  ),
  {
    flag: "--realistic",
    env: "FARM_REALISTIC",
    value: "",
    help: "the --simulate phones behave like real ones: screen changes take time, a soft keyboard, toasts, …",
    parse: (raw, c) => {
      if (!/^(1|0|true|false)$/i.test(raw)) throw new ConfigError(`--realistic: "${raw}" is not 1 or 0`);
      c.realistic = /^(1|true)$/i.test(raw);
    },
  },
  {
    flag: "--fast-ui",
    env: "FARM_FAST_UI",
    value: "",
    help:
      "read screens and tap through Appium's UiAutomator2 server on every phone (installed on it; falls back " +
      "to uiautomator dump and input on failure); each phone can be switched from the API",
    parse: (raw, c) => {
      if (!/^(1|0|true|false)$/i.test(raw)) throw new ConfigError(`--fast-ui: "${raw}" is not 1 or 0`);
      c.fastUi = /^(1|true)$/i.test(raw);
    },
  },
  {
    flag: "--latency-profile",
    env: "FARM_LATENCY_PROFILE",
    value: "NAME",
    help: "the --simulate phones take a real phone's time per command: real-usb (USB 2), none (default)",
    parse: (raw, c) => {
      if (raw === "none") c.latencyProfile = null;
      else if ((DEMO_LATENCY_PROFILES as string[]).includes(raw))
        c.latencyProfile = raw as LatencyProfileName;
      else
        throw new ConfigError(
          `--latency-profile: "${raw}" is not one of ${[...DEMO_LATENCY_PROFILES, "none"].join(", ")}`,
        );
    },
  },
];

export function defaultConfig(): Config {
  return {
    port: 50809,
    host: "127.0.0.1",
    dataDir: defaultDataDir(),
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC",
    token: null,
    licenseFile: null,
    adb: { host: "127.0.0.1", port: 5037 },
    adbPath: "adb",
    allowedHosts: [],
    simulate: 0,
    realistic: false,
    latencyProfile: null,
    fastUi: false,
    retryMax: 2,
    retryDelayS: [60, 300],
    gracePeriodS: 30,
    scriptTimeouts: {},
    evidenceMaxAgeDays: 14,
    evidenceMaxMb: 500,
    webhookUrl: null,
    webhookSecret: null,
    database: null,
    node: hostname() || "farm-pc",
    nodeUrl: null,
    materialMaxBytes: 1024 ** 3,
    idleTimeoutS: 10,
    maxConnectionsPerClient: 64,
    logLevel: "info",
    logMaxBytes: 10 * 1024 ** 2,
    logMaxFiles: 5,
  };
}

export const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/**
 * Where the other PCs reach a service listening on `host`: null on loopback (this PC only); on the wildcard,
 * this PC's first LAN address (IPv4, then IPv6).
 */
export function nodeUrlOf(
  host: string,
  port: number,
  interfaces: ReturnType<typeof networkInterfaces> = networkInterfaces(),
): string | null {
  if (LOOPBACK_HOSTS.has(host) || host.startsWith("127.")) return null;
  let address = host;
  if (host === "0.0.0.0" || host === "::") {
    const lan = Object.values(interfaces)
      .flatMap((list) => list ?? [])
      .filter((a) => !a.internal && !a.address.startsWith("fe80"))
      .sort((a, b) => (a.family === b.family ? 0 : a.family === "IPv4" ? -1 : 1));
    if (!lan[0]) return null;
    address = lan[0].address;
  }
  return `http://${address.includes(":") ? `[${address}]` : address}:${port}`;
}

/** This PC's own names and addresses: its host name and every network interface's address. */
function ownAddresses(): string[] {
  const addresses = Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address));
  return [hostname(), ...addresses];
}

/**
 * Why the webhook URL reaches this very service, or null: its host is this PC (loopback, the wildcard, the
 * --host address, an allowed host name, this PC's own name or addresses) and its port is ours, or its path
 * is our API's (behind a proxy on another port). Each delivery would then call our own API: a webhook on
 * retry-all re-ran a stopped post 5 ms later and posted it twice.
 */
export function webhookSelfTarget(config: Config, own: string[] = ownAddresses()): string | null {
  if (!config.webhookUrl) return null;
  const url = new URL(config.webhookUrl);
  const bare = (h: string) =>
    h
      .toLowerCase()
      .replace(/^\[(.*)\]$/, "$1")
      .replace(/\.$/, "");
  const host = bare(url.hostname);
  const self = new Set(
    [...LOOPBACK_HOSTS, "0.0.0.0", "::", config.host, ...config.allowedHosts, ...own].map(bare),
  );
  const loopback = host.startsWith("127.") || host.endsWith(".localhost") || host.startsWith("::ffff:7f");
  if (!loopback && !self.has(host)) return null;
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  if (port === config.port) return `${url.host} is this service's own address and port`;
  if (/^\/api\/v1(\/|$)/i.test(url.pathname))
    return `${url.pathname} on ${url.hostname} is this service's own API`;
  return null;
}

export function usage(): string {
  const rows = OPTIONS.map((o) => `  ${`${o.flag} ${o.value}`.padEnd(30)} ${o.help} [${o.env}]`);
  return [
    `farm-tasks ${VERSION}: task service for Android phone farms`,
    "",
    "usage: farm-tasks [options]",
    "       farm-tasks license issue --key PRIVATE.pem --plan Pro --licensee NAME [--expires YYYY-MM-DD] [--out FILE]",
    "       farm-tasks license keygen --out-dir DIR",
    "",
    "options:",
    ...rows,
    `  ${"--help".padEnd(30)} show this help`,
    `  ${"--version".padEnd(30)} print the version and the commit it was built from`,
    `  ${"--licenses".padEnd(30)} print the licences of the software the executable carries`,
  ].join("\n");
}

export type ParsedArgs =
  | { kind: "run"; config: Config }
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "licenses" };

/** Flags win over the environment, which wins over the defaults. Throws ConfigError on any bad value. */
export function parseConfig(argv: string[], env: Record<string, string | undefined>): ParsedArgs {
  const config = defaultConfig();
  const fromFlags = new Map<Option, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--help" || arg === "-h") return { kind: "help" };
    if (arg === "--version" || arg === "-v") return { kind: "version" };
    if (arg === "--licenses") return { kind: "licenses" };
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const option = OPTIONS.find((o) => o.flag === name);
    if (!option) throw new ConfigError(`unknown option "${arg}" (see --help)`);
    let value: string | undefined;
    if (eq > 0) value = arg.slice(eq + 1);
    else if (option.value === "") value = "1";
    else value = argv[++i];
    if (value === undefined) throw new ConfigError(`${name}: missing value`);
    fromFlags.set(option, value);
  }
  for (const option of OPTIONS) {
    const raw = fromFlags.get(option) ?? env[option.env];
    if (raw !== undefined) option.parse(raw, config);
  }
  if (config.webhookUrl && !config.webhookSecret) {
    throw new ConfigError(
      "--webhook-url needs --webhook-secret, so that receivers can check the posts are ours",
    );
  }
  const self = webhookSelfTarget(config);
  if (self) {
    throw new ConfigError(
      `--webhook-url ${config.webhookUrl} points at this service itself (${self}): each task's end would ` +
        "call its own API (a retry-all there re-runs stopped posts). Point it at the program that should hear of tasks",
    );
  }
  if (!LOOPBACK_HOSTS.has(config.host) && !config.host.startsWith("127.") && !config.token) {
    throw new ConfigError(
      `--host ${config.host}: listening beyond this PC needs an API token (--token or FARM_TOKEN)`,
    );
  }
  if (config.database) config.nodeUrl ??= nodeUrlOf(config.host, config.port);
  // the other nodes call this one by that address: its Host header is ours
  if (config.nodeUrl) config.allowedHosts = [...config.allowedHosts, new URL(config.nodeUrl).hostname];
  return { kind: "run", config };
}

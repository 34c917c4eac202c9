import { describe, expect, test } from "bun:test";
import { ConfigError, defaultConfig, parseConfig, webhookSelfTarget } from "../../src/config.ts";

const run = (argv: string[], env: Record<string, string> = {}) => {
  const r = parseConfig(argv, env);
  if (r.kind !== "run") throw new Error(r.kind);
  return r.config;
};

describe("config", () => {
  test("defaults", () => {
    const c = run([]);
    expect(c).toMatchObject({
      port: 50809,
      host: "127.0.0.1",
      token: null,
      adb: { host: "127.0.0.1", port: 5037 },
    });
    expect(c.dataDir.endsWith("/data")).toBe(true);
    expect(c.timezone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(c.retryMax).toBe(2);
    expect(c.gracePeriodS).toBe(30);
    expect(c.idleTimeoutS).toBe(10);
    expect(c.maxConnectionsPerClient).toBe(64);
  });

  test("--database: a postgres:// URL (or FARM_DATABASE_URL); anything else refused without showing a password", () => {
    expect(run([]).database).toBeNull();
    expect(run(["--database", "postgres://farm:pw@db.lan:5432/farm"]).database).toBe(
      "postgres://farm:pw@db.lan:5432/farm",
    );
    expect(run([], { FARM_DATABASE_URL: "postgresql://farm@db.lan/farm" }).database).toBe(
      "postgresql://farm@db.lan/farm",
    );
    for (const bad of [
      "mysql://farm:hunter22@db/farm",
      "postgres://farm:hunter22@db.lan:5432",
      "not a url",
    ]) {
      let message = "";
      try {
        run(["--database", bad]);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        message = (e as Error).message;
      }
      expect(message).toStartWith("--database:");
      expect(message).not.toContain("hunter22");
    }
  });

  test("--node: this PC's name on the farm, the host name by default", () => {
    expect(run([]).node.length).toBeGreaterThan(0);
    expect(run(["--node", "pc-2"]).node).toBe("pc-2");
    expect(run([], { FARM_NODE: "rack.a_1" }).node).toBe("rack.a_1");
    expect(() => run(["--node", "two words"])).toThrow(ConfigError);
  });

  test("flags win over the environment, which wins over the defaults", () => {
    expect(run([], { FARM_PORT: "6000" }).port).toBe(6000);
    expect(run(["--port", "7000"], { FARM_PORT: "6000" }).port).toBe(7000);
    expect(run(["--port=7001"]).port).toBe(7001);
    expect(run(["--adb", "10.0.0.2:5038"]).adb).toEqual({ host: "10.0.0.2", port: 5038 });
    expect(run([], { FARM_TIMEZONE: "Asia/Tokyo" }).timezone).toBe("Asia/Tokyo");
    expect(run(["--script-timeout", "post=1200,follow=60"]).scriptTimeouts).toEqual({
      post: 1200,
      follow: 60,
    });
    expect(run(["--retry-delay", "5-10"]).retryDelayS).toEqual([5, 10]);
    expect(run([], { FARM_IDLE_TIMEOUT: "3" }).idleTimeoutS).toBe(3);
    expect(run([], { FARM_MAX_CONNECTIONS_PER_CLIENT: "200" }).maxConnectionsPerClient).toBe(200);
  });

  test("the log: level, file size and count", () => {
    expect(run([])).toMatchObject({ logLevel: "info", logMaxBytes: 10 * 1024 ** 2, logMaxFiles: 5 });
    expect(run(["--log-level", "WARN"]).logLevel).toBe("warn");
    expect(run([], { FARM_LOG_LEVEL: "debug" }).logLevel).toBe("debug");
    expect(run(["--log-max-size", "500KB", "--log-max-files", "2"])).toMatchObject({
      logMaxBytes: 500 * 1024,
      logMaxFiles: 2,
    });
    for (const [argv, says] of [
      [["--log-level", "loud"], '--log-level: "loud" is not one of debug, info, warn, error'],
      [["--log-max-files", "0"], "--log-max-files: 0 is outside 1–100"],
      [["--log-max-size", "10 apples"], '--log-max-size: "10 apples" is not a size (e.g. 500MB, 2GB)'],
    ] as const) {
      expect(() => run([...argv])).toThrow(new ConfigError(says));
    }
  });

  test("--realistic: a switch (the flag alone), or FARM_REALISTIC=1", () => {
    expect(run([]).realistic).toBe(false);
    expect(run(["--realistic", "--simulate", "3"])).toMatchObject({ realistic: true, simulate: 3 });
    expect(run([], { FARM_REALISTIC: "1" }).realistic).toBe(true);
    expect(run(["--realistic=0"], { FARM_REALISTIC: "1" }).realistic).toBe(false);
    expect(() => run([], { FARM_REALISTIC: "yes please" })).toThrow(
      new ConfigError('--realistic: "yes please" is not 1 or 0'),
    );
  });

  test("--fast-ui: a switch, or FARM_FAST_UI=1", () => {
    expect(run([]).fastUi).toBe(false);
    expect(run(["--fast-ui"]).fastUi).toBe(true);
    expect(run([], { FARM_FAST_UI: "1" }).fastUi).toBe(true);
    expect(run(["--fast-ui=0"], { FARM_FAST_UI: "1" }).fastUi).toBe(false);
    expect(() => run([], { FARM_FAST_UI: "on" })).toThrow(new ConfigError('--fast-ui: "on" is not 1 or 0'));
  });

  test("--latency-profile: a named profile of the virtual phones, or none", () => {
    expect(run([]).latencyProfile).toBeNull();
    expect(run(["--simulate", "20", "--latency-profile", "real-usb"])).toMatchObject({
      simulate: 20,
      latencyProfile: "real-usb",
    });
    expect(run([], { FARM_LATENCY_PROFILE: "real-usb" }).latencyProfile).toBe("real-usb");
    expect(run(["--latency-profile=none"], { FARM_LATENCY_PROFILE: "real-usb" }).latencyProfile).toBeNull();
    expect(() => run(["--latency-profile", "wifi"])).toThrow(
      new ConfigError('--latency-profile: "wifi" is not one of real-usb, none'),
    );
  });

  test("help and version", () => {
    expect(parseConfig(["--help"], {}).kind).toBe("help");
    expect(parseConfig(["--version"], {}).kind).toBe("version");
  });

  test.each([
    [["--port", "abc"], /--port: "abc" is not a whole number/],
    [["--port", "70000"], /outside/],
    [["--timezone", "Mars/Base"], /unknown time zone/],
    [["--host", "0.0.0.0"], /needs an API token/],
    [["--token", "short"], /at least 8/],
    [["--adb", "nohost"], /HOST:PORT/],
    [["--retry-delay", "10-5"], /MAX is less than MIN/],
    [["--webhook-url", "ftp://x"], /http/],
    [["--webhook-url", "http://127.0.0.1:9/x"], /needs --webhook-secret/],
    [["--bogus"], /unknown option/],
    [["--port"], /missing value/],
    // Bun's idle timeout takes 1–255 s; 0 would exempt every connection
    [["--idle-timeout", "0"], /outside 1–255/],
    [["--idle-timeout", "256"], /outside 1–255/],
    [["--max-connections-per-client", "0"], /outside/],
  ])("%p is refused with one clear line", (argv, message) => {
    expect(() => parseConfig(argv as string[], {})).toThrow(ConfigError);
    expect(() => parseConfig(argv as string[], {})).toThrow(message);
  });

  test("a token allows listening beyond loopback", () => {
    expect(run(["--host", "0.0.0.0", "--token", "long-enough-token"]).host).toBe("0.0.0.0");
  });

  describe("a webhook aimed at the service itself is refused", () => {
    const secret = ["--webhook-secret", "long-enough-secret"];
    test.each([
      [["--webhook-url", "http://127.0.0.1:50809/api/v1/task/retry-all"]],
      [["--webhook-url", "http://localhost:50809/hook"]],
      [["--webhook-url", "http://LOCALHOST.:50809/hook"]],
      [["--webhook-url", "http://[::1]:50809/"]],
      [["--webhook-url", "http://127.1:50809/"]],
      [["--webhook-url", "http://0.0.0.0:50809/"]],
      [["--webhook-url", "http://farm.localhost:50809/"]],
      [["--port", "6000", "--webhook-url", "http://127.0.0.1:6000/x"]],
      [["--allowed-hosts", "farm.lan", "--webhook-url", "http://farm.lan:50809/x"]],
      [
        [
          "--host",
          "192.168.1.5",
          "--token",
          "long-enough-token",
          "--webhook-url",
          "http://192.168.1.5:50809/",
        ],
      ],
      // through a proxy on another port: the path is the service's API
      [["--webhook-url", "http://localhost/api/v1/task/retry-all"]],
    ])("%p", (argv) => {
      expect(() => parseConfig([...argv, ...secret], {})).toThrow(/points at this service itself/);
    });

    test("this PC's own name and addresses count as itself", () => {
      const config = { ...defaultConfig(), webhookUrl: "http://10.1.2.3:50809/hook" };
      expect(webhookSelfTarget(config, ["farm-pc", "10.1.2.3"])).toMatch(/own address and port/);
      expect(
        webhookSelfTarget({ ...config, webhookUrl: "http://FARM-PC:50809/" }, ["farm-pc"]),
      ).not.toBeNull();
      expect(webhookSelfTarget(config, ["farm-pc", "10.1.2.4"])).toBeNull();
    });

    test("another port or another host is fine", () => {
      for (const url of [
        "http://127.0.0.1:9000/hook",
        "https://hooks.example.com:50809/x",
        "http://localhost/hook",
      ]) {
        expect(run(["--webhook-url", url, ...secret]).webhookUrl).toBe(new URL(url).toString());
      }
    });
  });
});

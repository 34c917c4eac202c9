import { expect, test } from "bun:test";
import { ConfigError, parseConfig } from "../../src/config.ts";

const maxOf = (argv: string[], env: Record<string, string> = {}) => {
  const parsed = parseConfig(argv, env);
  if (parsed.kind !== "run") throw new Error("expected a run");
  return parsed.config.materialMaxBytes;
};

test("--material-max-size: 1 GiB by default; MB, KB, GB; the flag wins over the environment", () => {
  expect(maxOf([])).toBe(1024 ** 3);
  expect(maxOf(["--material-max-size", "500"])).toBe(500 * 1024 ** 2);
  expect(maxOf(["--material-max-size=2GB"])).toBe(2 * 1024 ** 3);
  expect(maxOf(["--material-max-size", "64kb"])).toBe(64 * 1024);
  expect(maxOf([], { FARM_MATERIAL_MAX_SIZE: "300MB" })).toBe(300 * 1024 ** 2);
  expect(maxOf(["--material-max-size", "10MB"], { FARM_MATERIAL_MAX_SIZE: "300MB" })).toBe(10 * 1024 ** 2);
});

test("--material-max-size: bad sizes stop start-up with a sentence", () => {
  for (const [raw, message] of [
    ["lots", '--material-max-size: "lots" is not a size (e.g. 500MB, 2GB)'],
    ["1.5GB", '--material-max-size: "1.5GB" is not a size (e.g. 500MB, 2GB)'],
    ["0", "--material-max-size: 0 is outside 1KB–1024GB"],
    ["2000GB", "--material-max-size: 2000GB is outside 1KB–1024GB"],
  ]) {
    expect(() => parseConfig(["--material-max-size", raw as string], {})).toThrow(new ConfigError(message));
  }
});

// A script for tests of the runner: it does small real things on a phone (echo, sleep) and fails or hangs
// on demand. In-process tests register it on their service's registry; only the test suite's build of the
// executable offers it (FARM_TEST_SCRIPTS=1), a release build never.
import type { ScriptDefinition } from "../definition.ts";
import { testConfig } from "./config.ts";
import { testFlow } from "./flow.ts";

export { TEST_PACKAGE } from "./flow.ts";

export const testScript: ScriptDefinition<typeof testConfig> = {
  name: "test_sleep",
  description: "test only: echo a marker on the phone, sleep, then succeed, fail or hang",
  configSchema: testConfig,
  example: { seconds: 1 },
  usesAccount: false,
  maxDurationS: (c) => c.seconds + 60,
  expectedDurationS: (c) => c.seconds,
  run: testFlow,
};

// The demo's phones as a started service announces them ("demo: 3 virtual phone(s) attached: A, B, C"), in
// the order of their accounts (farm1.*, farm2.*, …): tests never assume the ports 37001… were free.
import type { Running } from "./binary.ts";
import { waitFor } from "./wait.ts";

export function demoSerials(running: Pick<Running, "log">): Promise<string[]> {
  return waitFor(
    "the demo's phones to be announced",
    () =>
      /demo: \d+ virtual phone\(s\) attached: ([\d.:]+(?:, [\d.:]+)*)/.exec(running.log())?.[1]?.split(", "),
    20_000,
  );
}

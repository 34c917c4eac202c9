// `npm run bench`: every benchmark, one after another.
export {};

const benches = [
  "bench/api.ts",
  "bench/devices.ts",
  "bench/runner.ts",
  "bench/nodes.ts",
  "bench/post.ts",
  "bench/push.ts",
  "bench/accounts.ts",
  "bench/dashboard.ts",
  "bench/screens.ts",
  "bench/waits.ts",
  "bench/real-latency.ts",
];
for (const b of benches) {
  console.log(`\n=== ${b}`);
  const p = Bun.spawn([process.execPath, b], { stdout: "inherit", stderr: "inherit" });
  if ((await p.exited) !== 0) process.exit(1);
}

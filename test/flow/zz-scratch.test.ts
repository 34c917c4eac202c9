import { test } from "bun:test";
import { writeFileSync } from "node:fs";
import { Value } from "@sinclair/typebox/value";
import { postConfig } from "../../src/scripts/post/config.ts";
import { postFlow } from "../../src/scripts/post/flow.ts";
import { flowContext, startFlowPhone, stopFlowPhones } from "../helpers/flow.ts";

test("scratch", async () => {
  writeFileSync("/tmp/h2s/v.mp4", Buffer.alloc(5000, 3));
  const { sim, phone } = await startFlowPhone("/tmp/h2s", { realistic: true });
  sim.apps.tiktok.uploadMs = 30_000;
  const run = flowContext(phone, "tiktok", {});
  const e = await postFlow(run.ctx, {
    files: ["/tmp/h2s/v.mp4"],
    kind: "video",
    caption: "Hello #cats",
    settings: { ...Value.Create(postConfig), upload_wait_time: 60 },
  }).catch((e) => e);
  console.log(
    e?.message,
    run.logs,
    run.steps.map((s) => s.name),
    sim.device.missedTaps,
    sim.commands.filter((c) => /input|dumpsys|am /.test(c.command)).map((c) => c.command),
  );
  console.log(sim.apps.tiktok.screen, sim.apps.tiktok.posts.length);
  await stopFlowPhones();
});

import { expect, test } from "bun:test";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Phone } from "../../src/devices/index.ts";
import { scrubber } from "../../src/secrets.ts";
import { Evidence } from "../../src/tasks/evidence.ts";

test("evidence is pruned by age, then oldest first down to the size limit", () => {
  const dir = mkdtempSync(join(tmpdir(), "farm-evidence-"));
  try {
    const now = Date.now();
    const put = (id: number, ageDays: number, bytes: number) => {
      mkdirSync(join(dir, String(id)));
      const file = join(dir, String(id), "screenshot.png");
      writeFileSync(file, Buffer.alloc(bytes));
      const t = (now - ageDays * 86_400_000) / 1000;
      utimesSync(file, t, t);
    };
    put(1, 30, 100); // too old
    put(2, 3, 600); // oldest of the young: goes for size
    put(3, 2, 300);
    put(4, 1, 300);
    const evidence = new Evidence(dir, { maxAgeDays: 14, maxBytes: 700 }, () => now);
    expect(evidence.prune().removed).toBe(2);
    expect(readdirSync(dir).sort()).toEqual(["3", "4"]);
    expect(evidence.screenshotPath(3)).toBe(join(dir, "3", "screenshot.png"));
    expect(evidence.screenshotPath(2)).toBeNull();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the UI dump kept as evidence has the task's secrets cut out", async () => {
  const dir = mkdtempSync(join(tmpdir(), "farm-evidence-"));
  try {
    const key = "sk-TESTONLY-on-screen";
    // a phone whose screen shows the key (an app echoing a pasted key); only the two verbs capture uses
    const phone = {
      screenshot: async () => Buffer.from("png"),
      dumpUiXml: async () => `<node text="${key}" /><node text="${encodeURIComponent(key)}" />`,
    } as unknown as Phone;
    await new Evidence(dir, { maxAgeDays: 14, maxBytes: 1e6 }).capture(7, phone, scrubber([key]));
    expect(readFileSync(join(dir, "7", "ui.xml"), "utf8")).toBe('<node text="***" /><node text="***" />');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// The cache of library files other nodes have: one download however many need a file at once, a file kept
// only whole and with the hash it was sent with, pruned by age and size but never while recently needed.
import { afterAll, beforeEach, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import {
  existsSync,
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
import { FetchFailed, hashFile, MaterialCache } from "../../src/materials/cache.ts";

const root = mkdtempSync(join(tmpdir(), "farm-material-cache-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dir: string;
let n = 0;
beforeEach(() => {
  dir = join(root, `case${++n}`);
});

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
/** A body that sends `bytes` in chunks of 1000, after `gate` opens. */
function body(bytes: Uint8Array, gate: Promise<void> = Promise.resolve()): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    async pull(c) {
      await gate;
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.subarray(at, at + 1000));
      at += 1000;
    },
  });
}

test("needs of one file at once share one download; the file is kept under its hash, then found", async () => {
  const cache = new MaterialCache(dir);
  const bytes = new Uint8Array(25_000).map((_, i) => i % 251);
  let downloads = 0;
  let open = () => {};
  const gate = new Promise<void>((r) => {
    open = r;
  });
  const download = async () => {
    downloads++;
    return { body: body(bytes, gate), sha256: sha256(bytes) };
  };
  const both = Promise.all([cache.get("pc-a/7", "mp4", download), cache.get("pc-a/7", "mp4", download)]);
  open();
  const [one, two] = await both;
  expect(one).toBe(join(dir, `${sha256(bytes)}.mp4`));
  expect(two).toBe(one);
  expect(downloads).toBe(1);
  expect(await hashFile(one)).toBe(sha256(bytes));
  expect(await cache.find(sha256(bytes), "mp4")).toBe(one);
  expect(await cache.find(sha256(new Uint8Array(1)), "mp4")).toBeNull();
  // another material with the same bytes: the answer's hash is known, its body is not read
  let read = false;
  const same = await cache.get("pc-a/8", "mp4", async () => ({
    // pulled only when read
    body: new ReadableStream(
      {
        pull() {
          read = true;
        },
      },
      { highWaterMark: 0 },
    ),
    sha256: sha256(bytes),
  }));
  expect([same, read]).toEqual([one, false]);
});

test("bytes that do not match their hash, or a download cut off: FetchFailed, nothing kept", async () => {
  const cache = new MaterialCache(dir);
  const bytes = new Uint8Array(5000).fill(3);
  const wrong = cache.get("k", "png", async () => ({ body: body(bytes), sha256: sha256(new Uint8Array(1)) }));
  await expect(wrong).rejects.toBeInstanceOf(FetchFailed);
  await expect(wrong).rejects.toThrow("the bytes received do not match their hash");
  const cut = new ReadableStream<Uint8Array>({
    pull(c) {
      c.error(new Error("socket closed"));
    },
  });
  await expect(cache.get("k", "png", async () => ({ body: cut, sha256: sha256(bytes) }))).rejects.toThrow(
    "the download failed: socket closed",
  );
  expect(readdirSync(dir)).toEqual([]);
});

test("pruning: old files and the oldest past the size cap go; one needed within a day stays", () => {
  const now = Date.UTC(2026, 11, 7);
  const day = 86_400_000;
  const cache = new MaterialCache(dir, { maxBytes: 2500, maxAgeMs: 30 * day, keepMs: day }, () => now);
  mkdirSync(dir, { recursive: true });
  const file = (name: string, ageMs: number, size = 1000) => {
    const path = join(dir, name);
    writeFileSync(path, new Uint8Array(size));
    const when = new Date(now - ageMs);
    utimesSync(path, when, when);
    return path;
  };
  const ancient = file("a.mp4", 40 * day);
  const old = file("b.mp4", 10 * day);
  const recent = file("c.mp4", 5 * day);
  const fresh = file("d.mp4", 1000);
  const halfDone = file(".part-1", 2 * day);
  expect(cache.prune()).toEqual({ removed: 3 });
  expect([ancient, old, halfDone].map(existsSync)).toEqual([false, false, false]);
  expect([recent, fresh].map(existsSync)).toEqual([true, true]);
  // over the cap, but needed within the day: kept
  const big = file("e.mp4", 1000, 5000);
  cache.prune();
  expect([recent, fresh, big].map(existsSync)).toEqual([false, true, true]);
  expect(readFileSync(big).length).toBe(5000);
});

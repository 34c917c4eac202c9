// Test data files and their digests.
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";

export function sha256(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Writes `megabytes` of random data to `path` in 1 MiB pieces; returns its SHA-256. */
export async function randomFile(path: string, megabytes: number): Promise<string> {
  const hash = createHash("sha256");
  const fh = await open(path, "w");
  try {
    for (let i = 0; i < megabytes; i++) {
      const chunk = randomBytes(1024 * 1024);
      hash.update(chunk);
      await fh.write(chunk);
    }
  } finally {
    await fh.close();
  }
  return hash.digest("hex");
}

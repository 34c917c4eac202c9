// The demo's sample media (--simulate): small videos and images in the library, tag "demo", so that the
// documented POST /task example posts something on a fresh machine, several times per account. Built in code, so the executable
// carries them without asset files.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Canvas } from "@farm/virtual-phone";
import type { Materials } from "./index.ts";

export const DEMO_TAG = "demo";
/** Videos and images of each kind: enough for several posts by every demo account (each posts a file once). */
export const DEMO_POSTS = 6;

/** An ISO BMFF box: 32-bit size, 4-letter type, payload. */
function box(type: string, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + body.length, 0);
  head.write(type, 4, "latin1");
  return Buffer.concat([head, body]);
}

/** A well-formed MP4 (ftyp, moov with a one-second movie header, mdat): what the phone's apps accept. */
export function sampleVideo(): Buffer {
  const mvhd = Buffer.alloc(100);
  mvhd.writeUInt32BE(1000, 12); // time scale: milliseconds
  mvhd.writeUInt32BE(1000, 16); // duration: one second
  mvhd.writeUInt32BE(0x00010000, 20); // rate 1.0
  mvhd.writeUInt16BE(0x0100, 24); // volume 1.0
  // unity matrix
  mvhd.writeUInt32BE(0x00010000, 36);
  mvhd.writeUInt32BE(0x00010000, 52);
  mvhd.writeUInt32BE(0x40000000, 68);
  mvhd.writeUInt32BE(2, 96); // next track id
  return Buffer.concat([
    box(
      "ftyp",
      Buffer.from("isom", "latin1"),
      Buffer.from([0, 0, 2, 0]),
      Buffer.from("isomiso2mp41", "latin1"),
    ),
    box("moov", box("mvhd", mvhd)),
    box("mdat", Buffer.alloc(1024, 0)),
  ]);
}

/** A 64×64 PNG in the colours of the apps it is posted to. */
export function sampleImage(): Buffer {
  const canvas = new Canvas(64, 64);
  canvas.gradient([255, 0, 80], [0, 242, 234]);
  return canvas.png();
}

/**
 * Writes DEMO_POSTS videos and images into `dir` and registers them with tag "demo", once: a restart finds them already in
 * the library and adds nothing.
 */
export async function addDemoMaterials(materials: Materials, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (let i = 1; i <= DEMO_POSTS; i++) {
    for (const [name, make] of [
      [`demo-video-${i}.mp4`, sampleVideo],
      [`demo-image-${i}.png`, sampleImage],
    ] as const) {
      const path = join(dir, name);
      if (!existsSync(path)) writeFileSync(path, make());
      if (!(await materials.byPath(path))) await materials.register(path, [DEMO_TAG]);
    }
  }
}

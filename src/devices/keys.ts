/**
 * The RSA key this service shows to phones it connects to directly (no adb server). Kept as
 * `adbkey` (PKCS#8 PEM, like adb's own) and `adbkey.pub` (Android's public key format) in the data
 * folder: created on first use, reused after, so a phone that accepted it once stays authorized.
 */
import { createPrivateKey, generateKeyPairSync } from "node:crypto";
import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { hostname, userInfo } from "node:os";
import { join } from "node:path";
import type { AdbCredentialStore, AdbPrivateKey } from "@yume-chan/adb";
import { adbGeneratePublicKey } from "@yume-chan/adb";

export const PRIVATE_KEY_FILE = "adbkey";
export const PUBLIC_KEY_FILE = "adbkey.pub";

function keyName(): string {
  let user = "farm";
  try {
    user = userInfo().username || user;
  } catch {}
  return `${user}@${hostname() || "localhost"}`.replace(/\s+/g, "_");
}

/** The public key line adbd stores in `adb_keys`: base64 of Android's RSA struct, then a name. */
export function androidPublicKey(pkcs8: Uint8Array, name: string): string {
  return `${Buffer.from(adbGeneratePublicKey(pkcs8)).toString("base64")} ${name}`;
}

export class FileCredentialStore implements AdbCredentialStore {
  readonly dir: string;
  readonly name: string;
  #key: Promise<AdbPrivateKey> | undefined;

  constructor(dir: string, name = keyName()) {
    this.dir = dir;
    this.name = name;
  }

  get privateKeyPath(): string {
    return join(this.dir, PRIVATE_KEY_FILE);
  }

  get publicKeyPath(): string {
    return join(this.dir, PUBLIC_KEY_FILE);
  }

  /** The stored key, created (and written to disk) when there is none yet. */
  key(): Promise<AdbPrivateKey> {
    this.#key ??= this.#loadOrCreate();
    // A failure (unreadable folder…) must not stick: try again next time.
    this.#key.catch(() => {
      this.#key = undefined;
    });
    return this.#key;
  }

  async #load(): Promise<AdbPrivateKey | undefined> {
    let pem: string;
    try {
      pem = await readFile(this.privateKeyPath, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
    const key = createPrivateKey({ key: pem, format: "pem" });
    if (key.asymmetricKeyType !== "rsa" || key.asymmetricKeyDetails?.modulusLength !== 2048) {
      throw new Error(`${this.privateKeyPath} is not an RSA-2048 key`);
    }
    const der = key.export({ type: "pkcs8", format: "der" });
    return { buffer: new Uint8Array(der), name: this.name };
  }

  async #loadOrCreate(): Promise<AdbPrivateKey> {
    const existing = await this.#load();
    if (existing) return existing;
    return await this.#create();
  }

  async #create(): Promise<AdbPrivateKey> {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, publicExponent: 65537 });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    const der = new Uint8Array(privateKey.export({ type: "pkcs8", format: "der" }));
    await mkdir(this.dir, { recursive: true });
    // Write to a temporary name then rename, so a crash never leaves half a key behind.
    const tmp = `${this.privateKeyPath}.${process.pid}.tmp`;
    await writeFile(tmp, pem, { mode: 0o600 });
    await chmod(tmp, 0o600);
    await rename(tmp, this.privateKeyPath);
    await writeFile(this.publicKeyPath, `${androidPublicKey(der, this.name)}\n`, { mode: 0o644 });
    return { buffer: der, name: this.name };
  }

  generateKey(): Promise<AdbPrivateKey> {
    return this.key();
  }

  async *iterateKeys(): AsyncGenerator<AdbPrivateKey> {
    const key = this.#key
      ? await this.#key.catch(() => undefined)
      : await this.#load().catch(() => undefined);
    if (key) {
      this.#key ??= Promise.resolve(key);
      yield key;
    }
  }
}

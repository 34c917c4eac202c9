// Secrets at rest: account passwords and the secrets inside task configs (see src/secrets.ts) are stored
// encrypted (AES-256-GCM) with a key kept apart from the database, in DATA_DIR/secret.key, so a copy of
// farm.db alone reveals none of them. A stored secret reads "enc:v1:" + base64(iv | tag | ciphertext); a value
// without the prefix is a clear one from before, sealed by the one-time pass at start-up.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isSecretField, mapStrings } from "../secrets.ts";
import { type AnyDb, type Db, isPg } from "./db.ts";
import { MetaStore } from "./meta.ts";

/** How messages name the key file. */
export const SECRET_KEY_FILE = "DATA_DIR/secret.key";
const PREFIX = "enc:v1:";
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** A known text sealed with the key at first use: tells a wrong key from a right one at start-up. */
const CHECK = { key: "secret_key_check", text: "farm-tasks secret key" };
/** Set once the clear secrets of an older database have been sealed. */
const SEALED = "secrets_sealed";

/** The key file is missing, damaged or not the one the database's secrets were sealed with. */
export class SecretKeyProblem extends Error {}

export const isSealed = (value: unknown): value is string =>
  typeof value === "string" && value.startsWith(PREFIX);

/**
 * Whether a config holds a sealed value: once opened, one the key could not open (the API refuses texts that
 * look sealed, so an opened config has none of its own).
 */
export function hasSealed(config: unknown): boolean {
  let found = false;
  mapStrings(config, (text) => {
    found ||= isSealed(text);
    return text;
  });
  return found;
}

export class SecretBox {
  constructor(private readonly key: Buffer) {}

  seal(clear: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    const sealed = Buffer.concat([cipher.update(clear, "utf8"), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString("base64");
  }

  /** The clear text; a value that is not sealed is returned as it is; null when this key cannot open it. */
  open(value: string): string | null {
    if (!isSealed(value)) return value;
    const bytes = Buffer.from(value.slice(PREFIX.length), "base64");
    if (bytes.length < IV_BYTES + TAG_BYTES) return null;
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.key, bytes.subarray(0, IV_BYTES));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]).toString("utf8");
    } catch {
      return null;
    }
  }

  /** A config (JSON) as stored: its secrets sealed. */
  sealConfig(json: string): string {
    const sealed = mapStrings(JSON.parse(json) as unknown, (text, key) =>
      isSecretField(key, text) ? this.seal(text) : text,
    );
    return JSON.stringify(sealed);
  }

  /** A stored config (JSON) with its secrets opened; one this key cannot open stays sealed (see hasSealed). */
  openConfig(json: string): string {
    if (!json.includes(PREFIX)) return json;
    return JSON.stringify(mapStrings(JSON.parse(json) as unknown, (text) => this.open(text) ?? text));
  }
}

/**
 * The data folder's key (created on first start), checked against the database; then the one-time pass
 * that seals the clear secrets an older version stored.
 */
export async function openSecretBox(db: AnyDb, dataDir: string): Promise<SecretBox> {
  const file = join(dataDir, "secret.key");
  const meta = new MetaStore(db);
  const check = await meta.get(CHECK.key);
  let key: Buffer;
  if (existsSync(file)) {
    key = readFileSync(file);
    if (key.length !== KEY_BYTES) {
      throw new SecretKeyProblem(
        `${file} is not a farm-tasks key (${key.length} bytes, not ${KEY_BYTES}): restore it from the backup of this data folder`,
      );
    }
  } else if (check !== undefined) {
    throw new SecretKeyProblem(
      `${file} is missing, and farm.db holds secrets encrypted with it: restore it from the backup of this data folder (farm.db and secret.key go together)`,
    );
  } else {
    key = randomBytes(KEY_BYTES);
    // written whole or not at all: a half-written key would lock the secrets away
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, key, { mode: 0o600 });
    renameSync(partial, file);
  }
  const box = new SecretBox(key);
  if (check === undefined) await meta.set(CHECK.key, box.seal(CHECK.text));
  else if (box.open(check) !== CHECK.text) {
    throw new SecretKeyProblem(
      `${file} is not the key farm.db's secrets were encrypted with: restore the secret.key kept with this farm.db`,
    );
  }
  if ((await meta.get(SEALED)) === undefined) {
    // a PostgreSQL database was only ever written by versions that seal: nothing clear to look for
    if (!isPg(db)) sealClearSecrets(db, box);
    await meta.set(SEALED, "v1");
  }
  return box;
}

/** Seals the passwords and config secrets stored in clear; rewrites the file so no clear copy stays behind. */
function sealClearSecrets(db: Db, box: SecretBox): void {
  const sqlite = db.$client;
  let changed = 0;
  // the old cells are zeroed as they are rewritten
  sqlite.exec("PRAGMA secure_delete = ON");
  try {
    sqlite.transaction(() => {
      const accounts = sqlite
        .query<{ id: number; password: string }, []>(
          `select id, password from accounts where password is not null and password not like '${PREFIX}%'`,
        )
        .all();
      const setPassword = sqlite.query("update accounts set password = $password where id = $id");
      for (const a of accounts) setPassword.run({ id: a.id, password: box.seal(a.password) });
      changed += accounts.length;
      const setConfig = sqlite.query("update tasks set script_config = $config where id = $id");
      const configs = sqlite
        .query<{ id: number; config: string }, []>(
          `select id, script_config as config from tasks where script_config like '%api_key%' or script_config like '%://%'`,
        )
        .all();
      for (const t of configs) {
        let sealed = 0;
        const config = mapStrings(JSON.parse(t.config) as unknown, (text, key) => {
          if (!isSecretField(key, text) || isSealed(text)) return text;
          sealed++;
          return box.seal(text);
        });
        if (sealed === 0) continue;
        setConfig.run({ id: t.id, config: JSON.stringify(config) });
        changed++;
      }
    })();
  } finally {
    sqlite.exec("PRAGMA secure_delete = OFF");
  }
  // rows deleted before this version may have left clear copies in free pages
  if (changed > 0) {
    sqlite.exec("VACUUM");
    sqlite.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
}

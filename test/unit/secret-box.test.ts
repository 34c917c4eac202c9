// Secrets at rest, in a real SQLite file: passwords and config secrets never reach farm.db (or its WAL) in
// clear, an older database's clear ones are sealed at start-up, and a missing or other key file is refused.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AccountStore } from "../../src/store/accounts.ts";
import { closeDb, type Db, openDb } from "../../src/store/db.ts";
import { hasSealed, openSecretBox, SecretBox, SecretKeyProblem } from "../../src/store/secret-box.ts";
import { TaskStore } from "../../src/store/tasks.ts";

const PASSWORD = "pw-TESTONLY-hunter2";
const KEY = "sk-TESTONLY-rest-0123456789";
const QUERY_KEY = "qk-TESTONLY-in-url";
const CONFIG = JSON.stringify({
  generate_by_chatgpt: true,
  chatgpt_settings: { api_key: KEY, base_url: `https://llm.example.com/v1?key=${QUERY_KEY}` },
});

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "farm-secret-box-"));
  db = openDb(join(dir, "farm.db"));
});
afterEach(() => {
  try {
    closeDb(db);
  } catch {}
  rmSync(dir, { recursive: true, force: true });
});

/** farm.db and its WAL, as bytes a copy would carry. */
const onDisk = () =>
  ["farm.db", "farm.db-wal"]
    .map((f) => join(dir, f))
    .filter(existsSync)
    .map((f) => readFileSync(f).toString("latin1"))
    .join("");

async function addTask(tasks: TaskStore): Promise<number> {
  const [id] = await tasks.create([
    { serial: "P1", platform: "tiktok", scriptName: "account_warmup", scriptConfig: CONFIG, source: "api" },
  ] as never);
  return id as number;
}

describe("secrets at rest", () => {
  test("an account's password and a task's api_key and ?key= are sealed in the file, clear to the code", async () => {
    const box = await openSecretBox(db, dir);
    const accounts = new AccountStore(db, box);
    const tasks = new TaskStore(db, box);
    const accountId = await accounts.create({
      username: "alice",
      platform: "tiktok",
      device: "P1",
      packagename: null,
      email: null,
      password: PASSWORD,
      logined: 1,
      status: 1,
      tags: "[]",
    });
    await accounts.update(accountId, { password: `${PASSWORD}-2` });
    const id = await addTask(tasks);

    expect((await tasks.get(id))?.scriptConfig).toBe(CONFIG);
    expect((await tasks.list({}, 1, 10)).rows[0]?.scriptConfig).toBe(CONFIG);
    expect(box.open((await accounts.get(accountId))?.password ?? "")).toBe(`${PASSWORD}-2`);
    expect(statSync(join(dir, "secret.key")).size).toBe(32);
    if (process.platform !== "win32") expect(statSync(join(dir, "secret.key")).mode & 0o777).toBe(0o600);

    const bytes = onDisk();
    expect(bytes).toContain("enc:v1:");
    for (const secret of [PASSWORD, KEY, QUERY_KEY, "TESTONLY"]) expect(bytes).not.toContain(secret);
  });

  test("an older database's clear secrets are sealed once at start-up; a second start changes nothing", async () => {
    db.$client.exec(`insert into accounts (username, platform, device, password, logined, status, tags, created_at, updated_at)
      values ('bob', 'tiktok', 'P1', '${PASSWORD}', 1, 1, '[]', 0, 0)`);
    db.$client
      .query(
        `insert into tasks (serial, platform, script_name, script_config, status, source, retry_count, created_at, updated_at)
         values ('P1', 'tiktok', 'account_warmup', $config, 2, 'api', 0, 0, 0)`,
      )
      .run({ config: CONFIG });
    // a deleted row of before leaves its clear bytes in a free page
    db.$client.exec(`insert into accounts (username, platform, device, password, logined, status, tags, created_at, updated_at)
      values ('gone', 'tiktok', 'P1', '${PASSWORD}-gone', 1, 1, '[]', 0, 0)`);
    db.$client.exec("delete from accounts where username = 'gone'");
    closeDb(db);
    expect(onDisk()).toContain(PASSWORD);

    db = openDb(join(dir, "farm.db"));
    const box = await openSecretBox(db, dir);
    const tasks = new TaskStore(db, box);
    const task = (await tasks.list({}, 1, 10)).rows[0];
    expect(task?.scriptConfig).toBe(CONFIG);
    const sealed = db.$client.query<{ password: string }, []>("select password from accounts").get();
    expect(box.open(sealed?.password ?? "")).toBe(PASSWORD);
    for (const secret of [PASSWORD, KEY, QUERY_KEY]) expect(onDisk()).not.toContain(secret);

    const rows = () => JSON.stringify(db.$client.query("select * from tasks, accounts").all());
    const before = rows();
    closeDb(db);
    db = openDb(join(dir, "farm.db"));
    await openSecretBox(db, dir);
    expect(rows()).toBe(before);
  });

  test("a missing, damaged or other key file is refused at start-up, saying what to do", async () => {
    await addTask(new TaskStore(db, await openSecretBox(db, dir)));
    const keyFile = join(dir, "secret.key");
    const key = readFileSync(keyFile);

    rmSync(keyFile);
    await expect(openSecretBox(db, dir)).rejects.toThrow(SecretKeyProblem);
    await expect(openSecretBox(db, dir)).rejects.toThrow(/secret\.key is missing.*restore it/);
    writeFileSync(keyFile, "short");
    await expect(openSecretBox(db, dir)).rejects.toThrow(/not a farm-tasks key \(5 bytes, not 32\)/);
    writeFileSync(keyFile, Buffer.alloc(32, 7));
    await expect(openSecretBox(db, dir)).rejects.toThrow(
      /not the key farm\.db's secrets were encrypted with/,
    );
    writeFileSync(keyFile, key);
    const reopened = new TaskStore(db, await openSecretBox(db, dir));
    expect((await reopened.list({}, 1, 1)).rows[0]?.scriptConfig).toBe(CONFIG);
  });

  test("a value another key sealed stays sealed (the runner refuses the task), never garbage", () => {
    const other = new SecretBox(Buffer.alloc(32, 1));
    const mine = new SecretBox(Buffer.alloc(32, 2));
    const stored = other.sealConfig(CONFIG);
    const read = JSON.parse(mine.openConfig(stored));
    expect(read.chatgpt_settings.api_key).toStartWith("enc:v1:");
    expect(hasSealed(read)).toBe(true);
    expect(hasSealed(JSON.parse(other.openConfig(stored)))).toBe(false);
    expect(mine.open("enc:v1:AAAA")).toBeNull();
  });
});

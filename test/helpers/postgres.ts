// A private PostgreSQL for the tests that need one: Debian's `postgresql` binaries, a temp folder owned by the
// `postgres` user (the server refuses to run as root), a free port on loopback, stopped after.
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports.ts";

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  url: string;
  /** A new empty database on this server; its URL. */
  database(name?: string): Promise<string>;
  stop(): void;
  /** The server stops (fast: its connections are cut) and keeps its data: `resume` starts it again. */
  halt(): void;
  /** The halted server starts again, on the same port, with the same data. */
  resume(): void;
}

const ROOT = "/usr/lib/postgresql";

/** The newest installed server's bin folder, or null when Debian's `postgresql` is not installed. */
export function postgresBin(): string | null {
  if (!existsSync(ROOT)) return null;
  const versions = readdirSync(ROOT)
    .filter((v) => existsSync(join(ROOT, v, "bin", "pg_ctl")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(ROOT, versions[0], "bin") : null;
}

/**
 * Whether the Postgres half of a suite runs: always, unless the developer sets FARM_TEST_SKIP_PG=1. Without
 * the binaries (and without that variable) it fails loudly: CI installs them (.ci/run).
 */
export const skipPostgres = process.env.FARM_TEST_SKIP_PG === "1";

let counter = 0;

export async function startPostgres(): Promise<PrivatePostgres> {
  const bin = postgresBin();
  if (!bin) {
    throw new Error(
      "PostgreSQL is not installed (apt-get install postgresql); FARM_TEST_SKIP_PG=1 skips its tests",
    );
  }
  const dir = mkdtempSync(join(tmpdir(), "farm-pg-"));
  const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
  chownSync(dir, uid, gid);
  const asPostgres = (cmd: string, args: string[]) =>
    process.getuid?.() === 0
      ? execFileSync("runuser", ["-u", "postgres", "--", join(bin, cmd), ...args], { stdio: "pipe" })
      : execFileSync(join(bin, cmd), args, { stdio: "pipe" });
  const data = join(dir, "data");
  asPostgres("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"]);
  const port = await freePort();
  // fsync off: a test server need not survive a power cut, and the shared CPU thanks it
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  asPostgres("pg_ctl", ["-D", data, "-o", opts, "-l", join(dir, "log"), "-w", "start"]);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let stopped = false;
  let halted = false;
  // a test that fails before it stops its server does not leave it running
  const atExit = () => stop();
  process.once("exit", atExit);
  const stop = () => {
    if (stopped) return;
    stopped = true;
    process.off("exit", atExit);
    try {
      if (!halted) asPostgres("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  return {
    url,
    async database(name = `farm_${process.pid}_${++counter}`) {
      const admin = new Bun.SQL(url);
      try {
        await admin.unsafe(`create database "${name}"`);
      } finally {
        await admin.close();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    stop,
    halt() {
      asPostgres("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
      halted = true;
    },
    resume() {
      asPostgres("pg_ctl", ["-D", data, "-o", opts, "-l", join(dir, "log"), "-w", "start"]);
      halted = false;
    },
  };
}

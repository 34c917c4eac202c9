// The follow / unfollow script_config as the API resolves it: three ways to name users, the first given wins; one task
// per user; names that are not user names refused with the field that held them.
import { describe, expect, test } from "bun:test";
import type { ConfigResult } from "../../src/scripts/registry.ts";
import { flowScripts } from "../helpers/flow.ts";

const scripts = flowScripts();

async function resolve(name: "follow" | "unfollow", raw: unknown): Promise<ConfigResult> {
  const script = await scripts.get(name);
  if (!script) throw new Error(`no script ${name}`);
  return await scripts.resolve(script, raw);
}

const users = (r: ConfigResult) => (r.ok ? r.configs.map((c) => (c.target_users as string[])[0]) : r.errors);

describe("follow / unfollow config", () => {
  test("the product docs' example body resolves to one task for its one user", async () => {
    const r = await resolve("follow", { target_username: "tiktok", access_method: "direct" });
    expect(r).toEqual({
      ok: true,
      configs: [{ target_users: ["tiktok"], target_user: "", target_username: "", access_method: "direct" }],
      warnings: [],
    });
  });

  test("target_username is one string, users separated by commas or new lines", async () => {
    const r = await resolve("unfollow", { target_username: "@a, b\nc", access_method: "search" });
    expect(users(r)).toEqual(["a", "b", "c"]);
    expect(r.ok && r.configs.every((c) => c.access_method === "search")).toBe(true);
  });

  test("the product's rule: target_users wins over target_user, which wins over target_username; each ignored field is a warning", async () => {
    const all = await resolve("follow", {
      target_users: ["alpha", "@beta", "BETA"],
      target_user: "Beta, gamma",
      target_username: "gamma\n@delta\nALPHA",
    });
    expect(users(all)).toEqual(["alpha", "beta"]);
    expect(all.ok && all.warnings).toEqual([
      "target_user is ignored: target_users is given, and it wins",
      "target_username is ignored: target_users is given, and it wins",
    ]);
    const two = await resolve("unfollow", { target_user: "gamma", target_username: "delta" });
    expect(users(two)).toEqual(["gamma"]);
    expect(two.ok && two.warnings).toEqual(["target_username is ignored: target_user is given, and it wins"]);
  });

  test("no user in any field: the message names all three fields", async () => {
    const r = await resolve("follow", { target_username: " , \n" });
    expect(r).toEqual({
      ok: false,
      errors: [
        {
          path: "/script_config/target_users",
          message: "give at least one user in target_users, target_user or target_username",
        },
      ],
    });
  });

  test("a link or a path is not a user name: refused, naming the field it came from", async () => {
    const r = await resolve("follow", { target_username: "fine_name, https://www.tiktok.com/@x" });
    expect(r).toEqual({
      ok: false,
      errors: [
        {
          path: "/script_config/target_username",
          message: '"https://www.tiktok.com/@x" is not a user name (letters, digits, "_" and "." only)',
        },
      ],
    });
  });

  test("unknown fields stay refused; target_username must be a string", async () => {
    const unknown = await resolve("follow", { target_username: "a", target_name: "b" });
    expect(unknown.ok).toBe(false);
    const wrongType = await resolve("follow", { target_username: ["a"] });
    expect(wrongType.ok).toBe(false);
    if (!wrongType.ok) expect(wrongType.errors[0].path).toBe("/script_config/target_username");
  });
});

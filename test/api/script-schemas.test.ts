// The script_config schemas as the OpenAPI document publishes them (ScriptConfig_*), which the dashboard's
// New task form is built from: every field has a label and a line of help in the operator's words, every
// choice a meaning short enough for a select's option, and the form's hints (x-synonym-of, x-show-when,
// x-platforms) name real fields, real values and real apps.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { PLATFORMS } from "../../src/domain.ts";
import { testScript } from "../../src/scripts/test-sleep/index.ts";
import { startTestService, type TestService } from "../helpers/service.ts";

interface Schema {
  type?: string;
  title?: string;
  description?: string;
  anyOf?: Schema[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, Schema>;
  "x-synonym-of"?: string;
  "x-show-when"?: Record<string, unknown[]>;
  "x-platforms"?: string[];
}

let s: TestService;
let configs: Record<string, Schema>;

beforeAll(async () => {
  s = await startTestService({}, { scripts: [testScript] });
  await s.addDevice("PHONE1");
  const res = await s.app.handle(new Request("http://localhost/swagger/json"));
  const doc = (await res.json()) as { components: { schemas: Record<string, Schema> } };
  configs = Object.fromEntries(
    Object.entries(doc.components.schemas)
      .filter(([name]) => name.startsWith("ScriptConfig_"))
      .map(([name, schema]) => [name.slice("ScriptConfig_".length), schema]),
  );
});
afterAll(() => s.stop());

/** Every field of every config, nested objects' fields too, as "script.field" with its schema and siblings. */
function fields(): { at: string; name: string; field: Schema; siblings: Record<string, Schema> }[] {
  const all: ReturnType<typeof fields> = [];
  const walk = (at: string, object: Schema) => {
    for (const [name, field] of Object.entries(object.properties ?? {})) {
      all.push({ at: `${at}.${name}`, name, field, siblings: object.properties ?? {} });
      if (field.properties) walk(`${at}.${name}`, field);
    }
  };
  for (const [script, schema] of Object.entries(configs)) walk(script, schema);
  return all;
}

/** The help the form shows: the description without the default the document adds in words. */
const help = (field: Schema) => (field.description ?? "").replace(/(?:^|; )default .+$/, "").trim();

/** Whether `value` is one `field` can take. */
function allows(field: Schema, value: unknown): boolean {
  if (field.anyOf) return field.anyOf.some((v) => v.const === value);
  if (field.type === "boolean") return typeof value === "boolean";
  if (field.type === "integer" || field.type === "number")
    return (
      typeof value === "number" &&
      value >= (field.minimum ?? -Infinity) &&
      value <= (field.maximum ?? Infinity)
    );
  return field.type === "string" && typeof value === "string";
}

test("the document has every script's config", () => {
  expect(Object.keys(configs).sort()).toEqual(
    ["account_warmup", "comment", "follow", "match_accounts", "post", "test_sleep", "unfollow"].sort(),
  );
  expect(Object.keys(configs.post?.properties ?? {})).toHaveLength(18);
});

test("every field has a label and one line of help, neither of them its API name", () => {
  const all = fields();
  expect(all.length).toBeGreaterThan(50);
  const missing = all
    .filter(({ name, field }) => {
      const title = field.title ?? "";
      return (
        !title.trim() || title === name || !help(field) || help(field).includes("\n") || title.length > 40
      );
    })
    .map(
      ({ at, field }) => `${at}: title ${JSON.stringify(field.title)}, help ${JSON.stringify(help(field))}`,
    );
  expect(missing).toEqual([]);
});

test("every choice says each value's meaning, short enough for a select's option", () => {
  const choices = fields().filter(({ field }) => field.anyOf);
  expect(choices.length).toBeGreaterThanOrEqual(10);
  for (const { at, field } of choices) {
    for (const v of field.anyOf ?? []) {
      expect({ at, value: v.const, title: Boolean(v.title && v.title.length <= 30) }).toEqual({
        at,
        value: v.const,
        title: true,
      });
    }
  }
  const meanings = (script: string, name: string) =>
    configs[script]?.properties?.[name]?.anyOf?.map((v) => `${v.const}: ${v.title}`);
  expect(meanings("post", "content_type")).toEqual(["0: Video", "1: Images"]);
  expect(meanings("post", "add_sound")).toEqual([
    "-1: As the app sets it",
    "0: No added sound",
    "1: Recommended sound",
    "custom: Sound by keyword",
  ]);
});

test("x-synonym-of, x-show-when and x-platforms name real fields, real values and real apps", () => {
  const hinted = { synonym: 0, showWhen: 0, platforms: 0 };
  for (const { at, name, field, siblings } of fields()) {
    const synonym = field["x-synonym-of"];
    if (synonym !== undefined) {
      hinted.synonym++;
      expect({ at, synonym, real: synonym !== name && synonym in siblings }).toEqual({
        at,
        synonym,
        real: true,
      });
      // one box: the field it stands for is no synonym itself
      expect({ at, chained: siblings[synonym]?.["x-synonym-of"] }).toEqual({ at, chained: undefined });
    }
    for (const [other, values] of Object.entries(field["x-show-when"] ?? {})) {
      hinted.showWhen++;
      const target = siblings[other];
      expect({ at, other, real: other !== name && target !== undefined }).toEqual({ at, other, real: true });
      expect(values.length).toBeGreaterThan(0);
      for (const value of values)
        expect({ at, other, value, allowed: allows(target as Schema, value) }).toEqual({
          at,
          other,
          value,
          allowed: true,
        });
    }
    const platforms = field["x-platforms"];
    if (platforms !== undefined) {
      hinted.platforms++;
      expect(platforms.length).toBeGreaterThan(0);
      for (const p of platforms) expect([at, PLATFORMS.includes(p as never)]).toEqual([at, true]);
    }
  }
  expect(hinted.synonym).toBe(6);
  expect(hinted.showWhen).toBeGreaterThanOrEqual(8);
  expect(hinted.platforms).toBeGreaterThanOrEqual(9);
});

describe("the hints the form needs", () => {
  const hint = (script: string, name: string) => {
    const f = configs[script]?.properties?.[name] ?? {};
    return { synonym: f["x-synonym-of"], when: f["x-show-when"], platforms: f["x-platforms"] };
  };

  test("synonyms are one box: follow's, unfollow's, comment's singular, warm-up's follow_probable", () => {
    for (const script of ["follow", "unfollow"]) {
      expect(hint(script, "target_user").synonym).toBe("target_users");
      expect(hint(script, "target_username").synonym).toBe("target_users");
      expect(hint(script, "target_users").synonym).toBeUndefined();
    }
    expect(hint("comment", "target_post_url").synonym).toBe("target_post_urls");
    expect(hint("account_warmup", "follow_probable").synonym).toBe("floow_probable");
  });

  test("fields that apply to one source, one choice or one app say so", () => {
    expect(hint("post", "image_count").when).toEqual({ content_type: [1] });
    expect(hint("post", "material_path").when).toEqual({ material_source: ["localFolder"] });
    expect(hint("post", "materials_tags").when).toEqual({ material_source: ["materialLibrary"] });
    expect(hint("post", "sound_name").when).toEqual({ post_way: ["useSound"] });
    expect(hint("post", "custom_sound_keyword").when).toEqual({ add_sound: ["custom"] });
    expect(hint("post", "add_sound_volume").when).toEqual({ add_sound: ["1", "custom"] });
    expect(hint("account_warmup", "chatgpt_settings").when).toEqual({ generate_by_chatgpt: [true] });
    expect(hint("post", "add_product_link").platforms).toEqual(["tiktok"]);
    expect(hint("post", "placement").platforms).toEqual(["instagram"]);
    expect(hint("comment", "comment_image_path").platforms).toEqual(["tiktok"]);
    expect(hint("post", "captions")).toEqual({ synonym: undefined, when: undefined, platforms: undefined });
  });

  test("the field a synonym names is the one that wins when both are given", async () => {
    const warnings = async (script_name: string, script_config: Record<string, unknown>) => {
      const r = await s.call("POST", "/api/v1/task", { serials: ["PHONE1"], script_name, script_config });
      expect(r.body.code).toBe(0);
      return r.body.data.warnings as string[];
    };
    expect(await warnings("follow", { target_users: ["a"], target_user: "b", target_username: "c" })).toEqual(
      [
        "target_user is ignored: target_users is given, and it wins",
        "target_username is ignored: target_users is given, and it wins",
      ],
    );
    const url = (n: number) => `https://www.tiktok.com/@user/video/${n}`;
    expect(
      await warnings("comment", {
        target_post_urls: [url(1)],
        target_post_url: url(2),
        comment_content: "hi",
      }),
    ).toEqual(["target_post_url is ignored: target_post_urls is given, and it wins"]);
  });
});

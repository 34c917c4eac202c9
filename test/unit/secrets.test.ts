// The secrets of a config: which fields hold them, how views mask them, how texts are scrubbed of them.
import { describe, expect, test } from "bun:test";
import { maskSecrets, maskUrl, scrubber, secretsIn } from "../../src/secrets.ts";

const KEY = 'sk-TESTONLY-"quoted"\\back/slash+plus 0123456789';

describe("scrubber", () => {
  const scrub = scrubber([KEY]);

  test("cuts out the raw, JSON-escaped, URL-encoded, HTML and base64 spellings", () => {
    const spelled = [
      KEY,
      JSON.stringify(KEY).slice(1, -1),
      JSON.stringify(KEY).slice(1, -1).replaceAll("/", "\\/"),
      encodeURIComponent(KEY),
      encodeURIComponent(KEY).toLowerCase(),
      encodeURIComponent(KEY).replaceAll("%20", "+"),
      KEY.replaceAll('"', "&quot;"),
      Buffer.from(KEY).toString("base64"),
      Buffer.from(`Bearer ${KEY}`).toString("base64"),
    ];
    for (const s of spelled) {
      const out = scrub(`error: ${s} was refused`);
      expect(out).toBe("error: *** was refused");
    }
    // what GET /task showed before: the JSON-escaped key in a quoted error body
    const body = JSON.stringify({ error: { message: `Incorrect API key provided: ${KEY}` } });
    expect(scrub(body)).not.toContain("TESTONLY");
  });

  test("scrubbing first, then cutting, leaves nothing of a key that straddles the cut", () => {
    const body = `${"x".repeat(180)}${KEY} and more`;
    // the old order (cut, then scrub) left the key's first 20 characters
    expect(scrub(body.slice(0, 200))).toContain("sk-TESTONLY");
    expect(scrub(body).slice(0, 200)).not.toContain("sk-TES");
  });

  test("short values are left alone (scrubbing them would mangle every sentence); no secrets, no change", () => {
    expect(scrubber(["abc"])("abc abc")).toBe("abc abc");
    expect(scrubber([])("sk-anything")).toBe("sk-anything");
  });
});

describe("URLs", () => {
  const URL_WITH_SECRETS = "https://bob:pa%40ss-word@llm.example.com/v1?key=QK-TESTONLY-42&org=acme%20co";

  test("maskUrl hides user:pass@ and every query value, keeps the rest", () => {
    expect(maskUrl(URL_WITH_SECRETS)).toBe("https://***:***@llm.example.com/v1?key=***&org=***");
    expect(maskUrl("https://api.openai.com/v1")).toBe("https://api.openai.com/v1");
    expect(maskUrl("/home/farm/a.mp4")).toBe("/home/farm/a.mp4");
  });

  test("secretsIn: api_key at any depth, a URL's credentials and query values, raw and decoded", () => {
    const found = secretsIn({
      a: { api_key: "k1-TESTONLY" },
      list: [{ api_key: "k2-TESTONLY" }],
      url: URL_WITH_SECRETS,
    });
    expect(found).toContain("k1-TESTONLY");
    expect(found).toContain("k2-TESTONLY");
    expect(found).toContain("bob");
    expect(found).toContain("pa%40ss-word");
    expect(found).toContain("pa@ss-word");
    expect(found).toContain("QK-TESTONLY-42");
    expect(found).toContain("acme co");
    expect(found).toContain("bob:pa@ss-word");
    expect(secretsIn({ base_url: "https://api.openai.com/v1", caption: "hello" })).toEqual([]);
  });

  test("maskSecrets masks api_key and URL-valued fields at any depth, arrays included", () => {
    const shown = maskSecrets({
      chatgpt_settings: { api_key: "sk-proj-TESTONLY-abcd", base_url: URL_WITH_SECRETS, model: "m" },
      material_list: ["https://cdn.example.com/v.mp4?sig=TESTONLY", "/home/a.mp4"],
    });
    expect(shown).toEqual({
      chatgpt_settings: {
        api_key: "****abcd",
        base_url: "https://***:***@llm.example.com/v1?key=***&org=***",
        model: "m",
      },
      material_list: ["https://cdn.example.com/v.mp4?sig=***", "/home/a.mp4"],
    });
  });
});

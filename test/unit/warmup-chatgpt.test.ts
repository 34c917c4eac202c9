/**
 * generateComment against local stand-ins for a chat-completions endpoint: what it sends, and each way it
 * fails (a ChatError that never carries the key) or is stopped (the task's reason).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ChatError, type ChatSettings, generateComment } from "../../src/scripts/account-warmup/chatgpt.ts";
import { DEFAULT_PROMPT } from "../../src/scripts/account-warmup/config.ts";

const KEY = "sk-TESTONLY-chat-0123456789";

let server: ReturnType<typeof Bun.serve>;
const seen: { auth: string | null; body: any; url: string }[] = [];
/** Called when /slow has been asked (and will not answer). */
let slowAsked = () => {};

beforeAll(() => {
  // the path picks the behaviour: /ok, /500, /html, /empty, /slow
  server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const kind = new URL(req.url).pathname.split("/")[1];
      seen.push({ auth: req.headers.get("authorization"), body: await req.json(), url: req.url });
      switch (kind) {
        case "echo": {
          // an endpoint that quotes what it was sent: the key JSON-escaped, where the 200-character cut
          // falls through it, then URL-encoded, then the query's key
          const auth = (req.headers.get("authorization") ?? "").replace(/^Bearer /, "");
          const query = new URL(req.url).searchParams.get("key") ?? "";
          const message = `${"-".repeat(130)} Incorrect API key provided: ${auth}; sent as ${encodeURIComponent(auth)}; key=${encodeURIComponent(query)}`;
          return Response.json({ error: { message } }, { status: 401 });
        }
        case "ok":
          return Response.json({ choices: [{ message: { role: "assistant", content: "  Great shot!\n" } }] });
        case "500":
          return new Response(`{"error":{"message":"Incorrect API key provided: ${KEY}"}}`, { status: 500 });
        case "html":
          return new Response("<html>gateway</html>", { status: 200 });
        case "empty":
          return Response.json({ choices: [{ message: { role: "assistant", content: "   " } }] });
        default:
          // never answers: the client gives up (its timeout) or is stopped
          slowAsked();
          await new Promise((resolve) => req.signal.addEventListener("abort", resolve));
          return Response.json({ choices: [{ message: { content: "late" } }] });
      }
    },
  });
});
afterAll(() => server.stop(true));

const settings = (path: string): ChatSettings => ({
  api_key: KEY,
  model: "gpt-3.5-turbo",
  prompt: DEFAULT_PROMPT,
  max_tokens: 60,
  temperature: 1.2,
  base_url: `http://127.0.0.1:${server.port}/${path}/`,
});

/** The ChatError `work` fails with (its message checked for the key). */
async function chatError(work: Promise<unknown>): Promise<string> {
  const e = await work.then(
    () => null,
    (err) => err,
  );
  expect(e).toBeInstanceOf(ChatError);
  expect((e as Error).message).not.toContain(KEY);
  return (e as Error).message;
}

describe("generateComment", () => {
  test("POSTs the model, the prompt with the caption, the caption, max_tokens and temperature; trims the reply", async () => {
    const reply = await generateComment(
      settings("ok"),
      "Lisbon at sunset #travel",
      new AbortController().signal,
    );
    expect(reply).toBe("Great shot!");
    const { auth, body } = seen.at(-1) ?? { auth: null, body: null };
    expect(auth).toBe(`Bearer ${KEY}`);
    expect(body).toEqual({
      model: "gpt-3.5-turbo",
      messages: [
        { role: "system", content: DEFAULT_PROMPT.replace("{caption}", "Lisbon at sunset #travel") },
        { role: "user", content: "Video caption: Lisbon at sunset #travel" },
      ],
      max_tokens: 60,
      temperature: 1.2,
    });
  });

  test("HTTP 500: the status and the body, with the echoed key cut out", async () => {
    const message = await chatError(generateComment(settings("500"), "x", new AbortController().signal));
    expect(message).toMatch(/answered 500: .*Incorrect API key provided: \*\*\*/);
  });

  test("an echoed key is cut out before the body is cut short, in every spelling (quotes, backslashes, %XX)", async () => {
    const key = 'sk-TESTONLY-"quoted"\\back\\slash/and more 0123456789abcdefghijklmnop';
    const queryKey = "QK-TESTONLY-&=/ 42";
    const base_url = `http://bob:s3cr%40t-TESTONLY@127.0.0.1:${server.port}/echo/v1/?key=${encodeURIComponent(queryKey)}`;
    const e = await generateComment(
      { ...settings("echo"), api_key: key, base_url },
      "x",
      new AbortController().signal,
    ).catch((err) => err as Error);
    expect(e).toBeInstanceOf(ChatError);
    const message = (e as Error).message;
    // the path joined to the URL's own, the query kept
    const sent = new URL(seen.at(-1)?.url ?? "");
    expect(sent.pathname).toBe("/echo/v1/chat/completions");
    expect(sent.searchParams.get("key")).toBe(queryKey);
    expect(seen.at(-1)?.auth).toBe(`Bearer ${key}`);
    // the URL shown masked; nothing of either key, whatever the spelling
    expect(message).toStartWith(
      `http://***:***@127.0.0.1:${server.port}/echo/v1/chat/completions?key=*** answered 401: `,
    );
    expect(message).toContain("Incorrect API key provided: ***");
    expect(message).not.toContain("TESTONLY");
    expect(message).not.toContain("s3cr");
    expect(message).not.toMatch(/quoted|back|slash|QK-/);
  });

  test("not JSON, an empty reply, no answer in time, nobody listening: each a ChatError saying so", async () => {
    const signal = new AbortController().signal;
    expect(await chatError(generateComment(settings("html"), "x", signal))).toMatch(/not JSON/);
    expect(await chatError(generateComment(settings("empty"), "x", signal))).toMatch(/without a comment/);
    expect(await chatError(generateComment(settings("slow"), "x", signal, 300))).toMatch(
      /did not answer within 0\.3 s$/,
    );
    const closed = { ...settings("ok"), base_url: "http://127.0.0.1:9/v1" };
    expect(await chatError(generateComment(closed, "x", signal))).toMatch(/unreachable/);
  });

  test("stopping the task ends the request with the stop's reason, not a fallback", async () => {
    const controller = new AbortController();
    const reason = new Error("stopped by user");
    const asked = new Promise<void>((resolve) => (slowAsked = resolve));
    const pending = generateComment(settings("slow"), "x", controller.signal);
    await asked;
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });
});

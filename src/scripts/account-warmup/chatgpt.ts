/**
 * A comment written by a chat-completions model (OpenAI or any compatible endpoint) from a video's caption.
 * Every failure is a `ChatError` whose message never contains the API key or the URL's secrets: the flow
 * logs it and falls back to the templates.
 */
import { maskUrl, scrubber, secretsIn } from "../../secrets.ts";

export interface ChatSettings {
  api_key: string;
  model: string;
  /** The system prompt; `{caption}` in it is replaced by the caption. */
  prompt: string;
  max_tokens: number;
  temperature: number;
  base_url: string;
}

/** Why no comment came back, said without the key. */
export class ChatError extends Error {}

const TIMEOUT_MS = 20_000;
/** Enough of an error body to say what went wrong. */
const BODY_EXCERPT = 200;

/** The request body: the prompt as the system message, the caption as the user's. */
export function chatRequest(settings: ChatSettings, caption: string) {
  const shown = caption.trim() || "(no caption)";
  return {
    model: settings.model,
    messages: [
      { role: "system", content: settings.prompt.replaceAll("{caption}", shown) },
      { role: "user", content: `Video caption: ${shown}` },
    ],
    max_tokens: settings.max_tokens,
    temperature: settings.temperature,
  };
}

/** `${base_url}/chat/completions`, the path joined to the URL's own, its query (`?key=…`) kept. */
export function completionsUrl(baseUrl: string): URL {
  // said without the URL itself: it may carry the key
  if (!URL.canParse(baseUrl)) throw new ChatError("base_url is not a URL");
  const url = new URL(baseUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/chat/completions`;
  return url;
}

/**
 * POST `${base_url}/chat/completions`; the reply's first choice, trimmed. Stopping the task (`signal`)
 * rejects with the signal's reason; anything else that goes wrong is a ChatError.
 */
export async function generateComment(
  settings: ChatSettings,
  caption: string,
  signal: AbortSignal,
  timeoutMs = TIMEOUT_MS,
): Promise<string> {
  const target = completionsUrl(settings.base_url);
  const url = maskUrl(target.href);
  // the key may come back inside an error text (some endpoints echo it): it is cut out of every message
  const scrub = scrubber(secretsIn(settings));
  let res: Response;
  try {
    res = await fetch(target, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${settings.api_key}` },
      body: JSON.stringify(chatRequest(settings, caption)),
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
    });
  } catch (e) {
    if (signal.aborted) throw signal.reason ?? e;
    const timedOut = (e as Error).name === "TimeoutError";
    throw new ChatError(
      timedOut
        ? `${url} did not answer within ${timeoutMs / 1000} s`
        : `${url} unreachable: ${scrub((e as Error).message)}`,
    );
  }
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    if (signal.aborted) throw signal.reason ?? e;
    throw new ChatError(`${url} answered ${res.status} but the body could not be read`);
  }
  if (!res.ok) {
    throw new ChatError(`${url} answered ${res.status}: ${scrub(text).slice(0, BODY_EXCERPT).trim()}`);
  }
  let content: unknown;
  try {
    const body = JSON.parse(text) as { choices?: { message?: { content?: unknown } }[] };
    content = body.choices?.[0]?.message?.content;
  } catch {
    throw new ChatError(`${url} answered with something that is not JSON`);
  }
  if (typeof content !== "string" || !content.trim()) {
    throw new ChatError(`${url} answered without a comment (choices[0].message.content is empty)`);
  }
  // models like to wrap a one-liner in quotes
  return content
    .trim()
    .replace(/^"(.*)"$/s, "$1")
    .trim();
}

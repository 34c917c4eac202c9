/**
 * Secrets inside a task's script_config, and how they are kept from leaving the service.
 *
 * A secret is the value of an `api_key` field (at any depth), or the credentials (user:pass@) and query
 * values of a URL-valued field (a `base_url` with `?key=…`). The store keeps them encrypted (store/secret-box);
 * every view of a config masks them (`maskSecrets`); every text that leaves the service about a task (its
 * log, its error, the console, evidence files) goes through that task's `scrubber` first.
 */

/** Config fields whose values are secrets, at any depth. */
const SECRET_KEYS = new Set(["api_key"]);

/** Shorter values are not cut out of free text: scrubbing "ab" would mangle every sentence. */
const MIN_SCRUBBED = 4;

/** "sk-proj-…abcd" → "****abcd"; short values (where four characters would give too much away) → "***". */
export function maskSecret(value: string): string {
  if (value === "") return "";
  return value.length >= 12 ? `****${value.slice(-4)}` : "***";
}

/** An http(s) URL that carries credentials or a query, parsed; null for any other text. */
function secretUrl(text: string): URL | null {
  if (!/^https?:\/\//i.test(text) || !URL.canParse(text)) return null;
  const url = new URL(text);
  return url.username || url.password || url.search ? url : null;
}

/** The URL with its credentials and every query value as "***" (the names stay: they say what is set). */
export function maskUrl(text: string): string {
  const url = secretUrl(text);
  if (!url) return text;
  if (url.username) url.username = "***";
  if (url.password) url.password = "***";
  for (const name of new Set(url.searchParams.keys())) url.searchParams.set(name, "***");
  return url.href;
}

/** Whether a config field holds a secret: an api_key, or a URL with credentials or a query. */
export function isSecretField(key: string, value: unknown): value is string {
  return typeof value === "string" && (SECRET_KEYS.has(key) || secretUrl(value) !== null);
}

/**
 * A copy of `value` with `change` applied to every string in it, at any depth, with the name of the field
 * that holds it (an array's items: the array's); the original is left alone.
 */
export function mapStrings<T>(value: T, change: (text: string, key: string) => string, key = ""): T {
  if (typeof value === "string") return change(value, key) as T;
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, change, key)) as T;
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = mapStrings(v, change, k);
  return out as T;
}

/** A copy of `value` with `change` applied to every secret field, at any depth. */
export function mapSecrets<T>(value: T, change: (secret: string, key: string) => string): T {
  return mapStrings(value, (text, key) => (isSecretField(key, text) ? change(text, key) : text));
}

/** A copy of `config` with every secret masked, as GET /task, the list, events and webhooks show it. */
export function maskSecrets<T>(config: T): T {
  return mapSecrets(config, (value, key) => (SECRET_KEYS.has(key) ? maskSecret(value) : maskUrl(value)));
}

/** The secret strings of a config: api_key values, and each URL's credentials and query values. */
export function secretsIn(config: unknown): string[] {
  const found: string[] = [];
  mapSecrets(config, (value, key) => {
    const url = SECRET_KEYS.has(key) ? null : secretUrl(value);
    if (!url) {
      found.push(value);
      return value;
    }
    // as written in the URL and decoded: an endpoint may echo either
    const raw = [
      url.username,
      url.password,
      ...url.search
        .slice(1)
        .split("&")
        .map((p) => p.split("=")[1]),
    ];
    for (const part of raw) if (part) found.push(part, safeDecode(part));
    // what a client sends for them as Basic auth
    if (url.username) found.push(`${safeDecode(url.username)}:${safeDecode(url.password)}`);
    return value;
  });
  return found;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll("+", " "));
  } catch {
    return text;
  }
}

/** The ways a secret may be spelled in a text that quotes it: raw, JSON-escaped, URL-encoded, HTML, base64. */
function spellings(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const url = encodeURIComponent(secret);
  const html = secret.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );
  const base64 = Buffer.from(secret).toString("base64");
  return [
    secret,
    json,
    json.replaceAll("/", "\\/"),
    url,
    url.replaceAll("%20", "+"),
    encodeURI(secret),
    html,
    base64,
    Buffer.from(`Bearer ${secret}`).toString("base64"),
  ];
}

export type Scrub = (text: string) => string;

/**
 * A function that replaces every spelling of every secret in a text by "***". Apply it to the whole text
 * before cutting it short: a cut through a secret would leave most of it behind.
 */
export function scrubber(secrets: Iterable<string>): Scrub {
  const all = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < MIN_SCRUBBED) continue;
    for (const s of spellings(secret)) all.add(s);
  }
  if (all.size === 0) return (text) => text;
  // longest first, so that a spelling is never cut through by a shorter one it contains
  const pattern = [...all]
    .sort((a, b) => b.length - a.length)
    .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join("|");
  // percent-escapes come in either case (%2f, %2F); matching the rest case-blind only cuts out more
  const re = new RegExp(pattern, "gi");
  return (text) => text.replace(re, "***");
}

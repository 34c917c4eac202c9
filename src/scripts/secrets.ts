/**
 * Secrets inside a stored script_config (the ChatGPT api_key of account_warmup): every place that shows a
 * config to the outside (GET /task, the task list, webhooks) passes it through `maskSecrets` first. The
 * stored config keeps the real value: the script needs it when the task runs.
 */

/** Config fields whose values are secrets, at any depth. */
const SECRET_KEYS = new Set(["api_key"]);

/** "sk-proj-…abcd" → "****abcd"; short values (where four characters would give too much away) → "***". */
export function maskSecret(value: string): string {
  if (value === "") return "";
  return value.length >= 12 ? `****${value.slice(-4)}` : "***";
}

/** A copy of `config` with every secret field masked (the original is left alone). */
export function maskSecrets<T>(config: T): T {
  if (Array.isArray(config)) return config.map((v) => maskSecrets(v)) as T;
  if (config === null || typeof config !== "object") return config;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    out[key] = SECRET_KEYS.has(key) && typeof value === "string" ? maskSecret(value) : maskSecrets(value);
  }
  return out as T;
}

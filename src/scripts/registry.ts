// The scripts the service can run, by name, and how a request's script_config becomes the configs to store.
import type { TObject } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import type { ErrorDetail } from "../errors.ts";
import { hasSealed } from "../store/secret-box.ts";
import { accountWarmup } from "./account-warmup.ts";
import { comment } from "./comment.ts";
import type { ScriptDefinition } from "./definition.ts";
import { follow, unfollow } from "./follow.ts";
import { matchAccounts } from "./match-accounts.ts";
import { post } from "./post.ts";

export type { ScriptDefinition };

const scripts = new Map<string, ScriptDefinition>();

/** A field with a default may be omitted: it is not required (TypeBox marks every non-Optional field so). */
function defaultsOptional(schema: TObject): TObject {
  const required = (schema.required ?? []).filter((k) => schema.properties[k]?.default === undefined);
  return { ...schema, required };
}

export function registerScript<Schema extends TObject>(script: ScriptDefinition<Schema>): void {
  scripts.set(script.name, { ...script, configSchema: defaultsOptional(script.configSchema) });
}

export function unregisterScript(name: string): void {
  scripts.delete(name);
}

export function getScript(name: string): ScriptDefinition | undefined {
  return scripts.get(name);
}

export function listScripts(): ScriptDefinition[] {
  return [...scripts.values()];
}

const builtIn: ScriptDefinition[] = [post, follow, unfollow, comment, accountWarmup, matchAccounts];
for (const s of builtIn) registerScript(s);

export type ConfigResult =
  | { ok: true; configs: Record<string, unknown>[] }
  | { ok: false; errors: [ErrorDetail, ...ErrorDetail[]] };

/** Applies defaults, checks the schema and the script's own rules; on success, the configs to store. */
export function resolveScriptConfig(script: ScriptDefinition, raw: unknown): ConfigResult {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return { ok: false, errors: [{ path: "/script_config", message: "must be an object" }] };
  }
  const config = Value.Default(script.configSchema, structuredClone(raw));
  if (!Value.Check(script.configSchema, config)) {
    const errors: ErrorDetail[] = [];
    for (const e of Value.Errors(script.configSchema, config)) {
      errors.push({ path: `/script_config${e.path}`, message: e.message });
      if (errors.length >= 20) break;
    }
    return rejected(errors);
  }
  // the store would take such a text for one of its encrypted values
  if (hasSealed(config))
    return rejected([{ path: "/script_config", message: 'no text may start with "enc:v1:"' }]);
  const issues = script.check?.(config) ?? [];
  if (issues.length > 0) return rejected(issues);
  return { ok: true, configs: script.expand?.(config) ?? [config] };
}

/** A rejection names at least one issue (the default is never used: a failed check always says why). */
function rejected([
  first = { path: "/script_config", message: "is invalid" },
  ...more
]: ErrorDetail[]): ConfigResult {
  return { ok: false, errors: [first, ...more] };
}

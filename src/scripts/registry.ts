// The scripts the service can run: each declares its config schema (defaults included), extra checks,
// how one request fans out into tasks, and how long a run may take.
import type { TObject } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { accountWarmup } from "./account-warmup.ts";
import { comment } from "./comment.ts";
import type { ScriptRun } from "./context.ts";
import { follow, unfollow } from "./follow.ts";
import { post } from "./post.ts";

export interface ConfigIssue {
  path: string;
  message: string;
}

export interface ScriptDefinition {
  name: string;
  description: string;
  configSchema: TObject;
  example: Record<string, unknown>;
  /** Checks the schema cannot express (files on disk, fields required together). */
  check?(config: Record<string, unknown>): ConfigIssue[];
  /** One stored config per task on each device (e.g. one task per follow target). Default: one. */
  expand?(config: Record<string, unknown>): Record<string, unknown>[];
  /** Longest a run with this config may take before it is aborted, in seconds. */
  maxDurationS(config: Record<string, unknown>): number;
  /** The flow on the phone. A script without one is refused by the runner, honestly, at once. */
  run?: ScriptRun;
}

const scripts = new Map<string, ScriptDefinition>();

/** A field with a default may be omitted: it is not required (TypeBox marks every non-Optional field so). */
function defaultsOptional(schema: TObject): TObject {
  const required = (schema.required ?? []).filter((k) => schema.properties[k]?.default === undefined);
  return { ...schema, required };
}

export function registerScript(script: ScriptDefinition): void {
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

for (const s of [post, follow, unfollow, comment, accountWarmup]) registerScript(s);

export type ConfigResult =
  | { ok: true; configs: Record<string, unknown>[] }
  | { ok: false; errors: ConfigIssue[] };

/** Applies defaults, checks the schema and the script's own rules; on success, the configs to store. */
export function resolveScriptConfig(script: ScriptDefinition, raw: unknown): ConfigResult {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return { ok: false, errors: [{ path: "/script_config", message: "must be an object" }] };
  }
  const config = Value.Default(script.configSchema, structuredClone(raw)) as Record<string, unknown>;
  const errors: ConfigIssue[] = [];
  for (const e of Value.Errors(script.configSchema, config)) {
    errors.push({ path: `/script_config${e.path}`, message: e.message });
    if (errors.length >= 20) break;
  }
  if (errors.length > 0) return { ok: false, errors };
  const more = script.check?.(config) ?? [];
  if (more.length > 0) return { ok: false, errors: more };
  return { ok: true, configs: script.expand?.(config) ?? [config] };
}

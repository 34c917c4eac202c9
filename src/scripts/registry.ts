// The scripts one service can run, by name, with the services it lends them; and how a request's
// script_config becomes the configs to store. createService builds one; HTTP, the task service and the
// runner are handed it.
import type { TObject } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import type { ErrorDetail } from "../errors.ts";
import { explain, type FieldError } from "../explain.ts";
import { hasSealed } from "../store/secret-box.ts";
import { accountWarmup } from "./account-warmup/index.ts";
import { comment } from "./comment/index.ts";
import type { ScriptServices } from "./context.ts";
import type { ScriptDefinition } from "./definition.ts";
import { follow, unfollow } from "./follow/index.ts";
import { matchAccounts } from "./match-accounts/index.ts";
import { post } from "./post/index.ts";

export type { ScriptDefinition };

/** The scripts every service runs. */
export const BUILT_IN_SCRIPTS: readonly ScriptDefinition[] = [
  post,
  follow,
  unfollow,
  comment,
  accountWarmup,
  matchAccounts,
];

export type ConfigResult =
  | { ok: true; configs: Record<string, unknown>[]; warnings: string[] }
  | { ok: false; errors: [ErrorDetail, ...ErrorDetail[]] };

/** A field with a default may be omitted: it is not required (TypeBox marks every non-Optional field so). */
function defaultsOptional(schema: TObject): TObject {
  const required = (schema.required ?? []).filter((k) => schema.properties[k]?.default === undefined);
  return { ...schema, required };
}

export class ScriptRegistry {
  private readonly scripts = new Map<string, ScriptDefinition>();

  constructor(
    /** What the scripts of this registry may use, at creation (checks) and on the phone (runs). */
    readonly services: ScriptServices,
    scripts: readonly ScriptDefinition[] = BUILT_IN_SCRIPTS,
  ) {
    for (const s of scripts) this.register(s);
  }

  register<Schema extends TObject>(script: ScriptDefinition<Schema>): void {
    this.scripts.set(script.name, { ...script, configSchema: defaultsOptional(script.configSchema) });
  }

  unregister(name: string): void {
    this.scripts.delete(name);
  }

  get(name: string): ScriptDefinition | undefined {
    return this.scripts.get(name);
  }

  list(): ScriptDefinition[] {
    return [...this.scripts.values()];
  }

  /** Applies defaults, checks the schema and the script's own rules; on success, the configs to store. */
  async resolve(script: ScriptDefinition, raw: unknown): Promise<ConfigResult> {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      return { ok: false, errors: [{ path: "/script_config", message: "must be an object" }] };
    }
    const config = Value.Default(script.configSchema, structuredClone(raw));
    if (!Value.Check(script.configSchema, config)) {
      const errors: ErrorDetail[] = [];
      for (const e of Value.Errors(script.configSchema, config)) {
        const message = explain(e as FieldError, `${script.name}'s script_config`);
        errors.push({ path: `/script_config${e.path}`, message });
        if (errors.length >= 20) break;
      }
      return rejected(errors);
    }
    // the store would take such a text for one of its encrypted values
    if (hasSealed(config))
      return rejected([{ path: "/script_config", message: 'no text may start with "enc:v1:"' }]);
    const issues = (await script.check?.(config, this.services)) ?? [];
    if (issues.length > 0) return rejected(issues);
    return {
      ok: true,
      configs: script.expand?.(config) ?? [config],
      warnings: script.warnings?.(config) ?? [],
    };
  }
}

/** A rejection names at least one issue (the default is never used: a failed check always says why). */
function rejected([
  first = { path: "/script_config", message: "is invalid" },
  ...more
]: ErrorDetail[]): ConfigResult {
  return { ok: false, errors: [first, ...more] };
}

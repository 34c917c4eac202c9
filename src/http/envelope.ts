// The envelope every /api/v1 answer wears, its OpenAPI description, and the error-to-envelope mapping.
import {
  type Static,
  Type as T,
  type TArray,
  type TInteger,
  type TSchema,
  type TUnsafe,
} from "@sinclair/typebox";
import type { DocumentDecoration } from "elysia";
import {
  AppError,
  Code,
  type CodeValue,
  type ErrorDetail,
  httpStatusOf,
  SCRIPT_NAME_MISSING,
} from "../errors.ts";
import { explain, type FieldError } from "../explain.ts";
import { WholeNumber } from "./params.ts";

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };

export function ok<D>(data: D) {
  return { code: 0 as const, message: "success" as const, data };
}

export function envelopeResponse(code: CodeValue, message: string, data: unknown = null): Response {
  return new Response(JSON.stringify({ code, message, data }), {
    status: httpStatusOf(code),
    headers: JSON_HEADERS,
  });
}

export function errorResponse(e: AppError): Response {
  return envelopeResponse(e.code, e.message, e.data);
}

/** The first TypeBox/Elysia validation errors, as `{path, message}` with the part of the request named. */
export function validationDetails(
  on: string,
  all: { path: string; message: string; summary?: string }[],
): ErrorDetail[] {
  const seen = new Set<string>();
  const details: ErrorDetail[] = [];
  for (const e of all) {
    const path = on === "body" ? e.path || "/" : `/${on}${e.path}`;
    if (seen.has(path)) continue;
    seen.add(path);
    details.push({ path, message: e.message });
    if (details.length >= 20) break;
  }
  return details;
}

export function describeDetail(d: ErrorDetail): string {
  // a query or path field is named as the reader wrote it: "page_size", not "query.page_size"
  const field = d.path
    .replace(/^\/(query|params)\//, "/")
    .slice(1)
    .replaceAll("/", ".");
  return `${field || "body"}: ${d.message.charAt(0).toLowerCase()}${d.message.slice(1)}`;
}

/** The one wording of a request that failed its schema: each field named, with what it wanted. */
export function invalidFields(on: string, errors: FieldError[], owner: string): AppError {
  const details = validationDetails(
    on,
    errors.map((e) => ({ path: e.path, message: explain(e, owner) })),
  );
  return AppError.invalid(details.map(describeDetail).join("; "), details);
}

// ---- pages ---------------------------------------------------------------------------------------------

/** The query fields every list takes. */
export const pageQuery = {
  // the bound keeps the row offset an exact integer
  page: T.Optional(WholeNumber({ minimum: 1, maximum: 10_000_000, default: 1 })),
  page_size: T.Optional(
    WholeNumber({ minimum: 1, maximum: 100, default: 20, description: "at most 100 (above → 40001)" }),
  ),
};

/** Resolves the page asked for, lets `read` fetch it, and answers `{ [key]: items, total, page, page_size }`. */
export async function paged<K extends string, R, V>(
  key: K,
  query: { page?: number; page_size?: number },
  read: (page: number, pageSize: number) => Promise<{ rows: R[]; total: number }>,
  view: (row: R) => V,
) {
  const page = query.page ?? 1;
  const pageSize = query.page_size ?? 20;
  const { rows, total } = await read(page, pageSize);
  return ok({ [key]: rows.map(view), total, page, page_size: pageSize } as Record<K, V[]> & {
    total: number;
    page: number;
    page_size: number;
  });
}

/** The documented shape of a page of `item`. */
export function Page<K extends string, S extends TSchema>(key: K, item: S) {
  const fields = { [key]: T.Array(item), total: T.Integer(), page: T.Integer(), page_size: T.Integer() };
  return T.Object(fields as Record<K, TArray<S>> & { total: TInteger; page: TInteger; page_size: TInteger });
}

// ---- OpenAPI description -------------------------------------------------------------------------------

const NAMED = new Map<string, TSchema>();
const COMPONENTS = "#/components/schemas/";

/**
 * Lists `schema` under `name` in the document's components; the returned schema refers to it there, and
 * has the type of `schema`.
 */
export function named<S extends TSchema>(name: string, schema: S): TUnsafe<Static<S>> {
  NAMED.set(name, schema);
  return T.Unsafe<Static<S>>({ $ref: `${COMPONENTS}${name}` });
}

/** `schema` with each named schema written out where it is referred to: what a route checks its answers by. */
function inline<S extends TSchema>(schema: S): S {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node !== "object" || node === null) return node;
    const ref = (node as { $ref?: unknown }).$ref;
    if (typeof ref === "string" && ref.startsWith(COMPONENTS))
      return walk(NAMED.get(ref.slice(COMPONENTS.length)));
    // a spread keeps TypeBox's symbol keys (Kind, Optional), which the validator reads
    const copy: Record<string, unknown> = { ...node };
    for (const [key, value] of Object.entries(node)) copy[key] = walk(value);
    return copy;
  };
  return walk(schema) as S;
}

/** Every schema named so far, for `components.schemas`. */
export const namedSchemas = () => Object.fromEntries(NAMED);

const ErrorDetailSchema = named("ErrorDetail", T.Object({ path: T.String(), message: T.String() }));

const EnvelopeRef = named(
  "Envelope",
  T.Object(
    { code: T.Literal(0), message: T.Literal("success"), data: T.Unknown() },
    { description: "a success: code 0, the answer in `data`" },
  ),
);

export const ErrorRef = named(
  "Error",
  T.Object(
    {
      code: T.Integer({ description: "see the codes table; its first three digits are the HTTP status" }),
      message: T.String({ description: "what was wrong, as a sentence a person can act on" }),
      data: T.Union([
        T.Null(),
        T.Object({ errors: T.Optional(T.Array(ErrorDetailSchema)) }, { additionalProperties: true }),
      ]),
    },
    { description: "a refusal or failure: what was wrong, and nothing was changed" },
  ),
);

/** The success envelope with `data` of the given schema. */
const Envelope = (data: TSchema) => T.Intersect([EnvelopeRef, T.Object({ data })]);

const ERROR_EXAMPLES: Record<number, { message: string; data?: unknown }> = {
  [Code.invalid]: {
    message: "serials[1]: unknown device 'PHONE3': did you mean PHONE2?",
    data: { errors: [{ path: "/serials/1", message: "unknown device 'PHONE3': did you mean PHONE2?" }] },
  },
  [Code.scriptNameMissing]: { message: SCRIPT_NAME_MISSING },
  [Code.scriptUnsupported]: { message: 'script "dance" is not supported via the API' },
  [Code.noAccount]: { message: "no account found for '@alice'", data: { usernames: ["alice"] } },
  [Code.unauthorized]: { message: "missing or wrong API token: send Authorization: Bearer TOKEN" },
  [Code.planForbidsApi]: {
    message: "the Starter plan does not include API access; upgrade to Pro, Team or Business",
  },
  [Code.foreignRequest]: { message: "request refused: Origin http://evil.example is not this service" },
  [Code.notFound]: { message: "task 101 not found" },
  [Code.conflict]: { message: "task 101 has already finished (completed)" },
  [Code.tooLarge]: { message: "request body is larger than 1 MiB" },
  [Code.tooManyConnections]: {
    message:
      "too many connections from 192.168.1.20: it has 64 requests or event streams open " +
      "(--max-connections-per-client); close some and try again",
  },
  [Code.streamsFull]: {
    message: "the service already serves 32 event streams, its limit: close one or try again later",
  },
  [Code.nodeUnavailable]: {
    message:
      "node pc-2 has stopped (last heartbeat 2026-12-07T21:04:10.000Z): what needs its phones or files waits until it is back",
    data: { node: "pc-2" },
  },
  [Code.internal]: {
    message: "internal error: see the service log (C:\\farm\\data\\logs\\farm.log, or GET /api/v1/logs)",
  },
};

/**
 * Codes answered on any path before its route runs: a foreign Host or Origin, a body declared over 1 MiB,
 * a client over its connection cap.
 */
export const GUARD_CODES: CodeValue[] = [Code.foreignRequest, Code.tooLarge, Code.tooManyConnections];

/** Codes every /api/v1 route can answer whatever it does. */
export const API_CODES: CodeValue[] = [...GUARD_CODES, Code.unauthorized, Code.planForbidsApi, Code.internal];

/** An OpenAPI response object. */
export interface ResponseDoc {
  description: string;
  content?: Record<string, unknown>;
}

/** The error responses for `codes`, grouped by HTTP status, each with its schema and an example per code. */
export function errorResponses(codes: CodeValue[]): Record<string, ResponseDoc> {
  const byStatus = new Map<number, CodeValue[]>();
  for (const code of new Set(codes)) {
    const status = httpStatusOf(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, ResponseDoc> = {};
  for (const [status, group] of [...byStatus].sort(([a], [b]) => a - b)) {
    const examples = Object.fromEntries(
      group.map((code) => [
        String(code),
        {
          summary: `code ${code}`,
          value: { code, message: ERROR_EXAMPLES[code]?.message, data: ERROR_EXAMPLES[code]?.data ?? null },
        },
      ]),
    );
    responses[String(status)] = {
      description: `code ${group.join(" or ")}`,
      content: { "application/json": { schema: ErrorRef, examples } },
    };
  }
  return responses;
}

interface RouteDoc {
  summary: string;
  description: string;
  tags: string[];
  /** The error codes this route answers, besides the common ones. */
  errors?: CodeValue[];
}

interface JsonRouteDoc<S extends TSchema> extends RouteDoc {
  /** Schema of `data` on success, and a real example of it. */
  data: S;
  example: unknown;
}

// our response schemas are TypeBox objects, which are JSON Schema: the OpenAPI types cannot see that
function decoration(d: RouteDoc, success: unknown) {
  return {
    summary: d.summary,
    description: d.description,
    tags: d.tags,
    security: [{ bearer: [] }, {}],
    responses: { 200: success, ...errorResponses([...(d.errors ?? []), ...API_CODES]) },
  } as DocumentDecoration;
}

/**
 * A JSON route's `detail` (summary, tags, the success envelope and every error code it may answer) and its
 * `response`: the success envelope its handler must answer, checked by the type checker and at run time.
 */
export function doc<S extends TSchema>(d: JsonRouteDoc<S>) {
  return {
    detail: decoration(d, {
      description: "success",
      content: { "application/json": { schema: Envelope(d.data), example: ok(d.example) } },
    }),
    response: {
      200: T.Object({ code: T.Literal(0), message: T.Literal("success"), data: inline(d.data) }),
    },
  };
}

/** The `detail` of a route that answers a PNG on success, and envelopes when it cannot. */
export function pngDoc(d: RouteDoc & { image: string }) {
  return fileDoc({ ...d, file: d.image, types: ["image/png"] });
}

/** The `detail` of a route that answers a file of one of `types` (with `headers`), and envelopes when it cannot. */
export function fileDoc(
  d: RouteDoc & { file: string; types: string[]; headers?: Record<string, { description: string }> },
) {
  const binary = { schema: { type: "string", format: "binary" } };
  return decoration(d, {
    description: d.file,
    content: Object.fromEntries(d.types.map((type) => [type, binary])),
    ...(d.headers
      ? {
          headers: Object.fromEntries(
            Object.entries(d.headers).map(([name, h]) => [name, { ...h, schema: { type: "string" } }]),
          ),
        }
      : {}),
  });
}

export { AppError, Code };

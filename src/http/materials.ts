// /api/v1/material: the material library. Files on this PC are registered by path (JSON) and stay the
// user's; files uploaded (multipart/form-data, streamed to the data folder) are ours to delete. On a farm of
// several PCs the library is one table: each material says which node has its file, and what needs the file
// (its download, its deletion) is answered by that node.
import { Type as T } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { Elysia, t } from "elysia";
import { literalUnion } from "../domain.ts";
import { type CodeValue, httpStatusOf } from "../errors.ts";
import {
  type MaterialRow,
  type Materials,
  type MaterialUseRow,
  materialConfig,
  PATHS_CHECK,
} from "../materials/index.ts";
import { FORMATS, type Format, type Kind, MIME_OF } from "../materials/media.ts";
import { formatBytes } from "../materials/upload.ts";
import { AppError, Code, doc, fileDoc, invalidFields, ok, Page, paged, pageQuery } from "./envelope.ts";
import { Id, WholeNumber } from "./params.ts";
import type { Peers } from "./peers.ts";
import { iso } from "./views.ts";

const tags = ["materials"];
const PATH = "/api/v1/material";
/** Room for the multipart framing and a tags field around the file itself. */
const MULTIPART_OVERHEAD = 1024 * 1024;

/** POST /api/v1/material with a multipart body: the one request whose body is not JSON, nor capped at 1 MiB. */
export function isMaterialUpload(request: Request): boolean {
  if (request.method !== "POST") return false;
  const type = request.headers.get("content-type")?.toLowerCase() ?? "";
  if (!type.startsWith("multipart/form-data")) return false;
  const url = URL.parse(request.url);
  return url?.pathname === PATH || url?.pathname === `${PATH}/`;
}

const UseSchema = T.Object({
  username: T.Union([T.String(), T.Null()], {
    description: "the account that posted it, without @; null when the task had no account",
  }),
  serial: T.String({ description: "the phone it was posted from" }),
  task_id: T.Union([T.Integer(), T.Null()], { description: "the task that posted it" }),
  at: T.String({ format: "date-time", description: "when the post was made" }),
  confirmed: T.Boolean({
    description:
      "true: the post was seen on the account (or made before posts were proven); false: possibly posted, " +
      "Post was tapped but the post was not seen (yet): skipped like a posted file unless " +
      "include_possibly_posted",
  }),
});

export const MaterialSchema = T.Object({
  id: T.Integer({ description: "the material's id" }),
  path: T.String({ description: "where the file is on this PC (an upload: inside the data folder)" }),
  name: T.String({ description: "the file's name (an upload keeps the name it was sent with)" }),
  type: T.Union([T.Literal("video"), T.Literal("image")], {
    description: "video (content_type 0) or image (content_type 1)",
  }),
  format: literalUnion(FORMATS, { description: "from the extension, confirmed by the file's first bytes" }),
  size: T.Integer({ description: "bytes" }),
  tags: T.Array(T.String(), { description: "labels that a post's materials_tags picks by" }),
  uploaded: T.Boolean({
    description:
      "true: our copy in the data folder, deleted with the material; false: the user's file, never deleted",
  }),
  node: T.Union([T.String(), T.Null()], {
    description:
      "the node (PC) whose disk has the file (`--node`); another node posting it fetches it from there. " +
      "null: added before the farm had nodes, on the PC that answers",
  }),
  sha256: T.Union([T.String(), T.Null()], {
    description:
      "SHA-256 of the content (hex): an upload's from the start, a registered file's once first needed; null until then",
  }),
  used_by: T.Array(UseSchema, { description: "every post of this file, oldest first" }),
  created_at: T.String({ format: "date-time", description: "when it was added to the library" }),
});

export const EXAMPLE_MATERIAL = {
  id: 7,
  path: "C:\\Videos\\video1.mp4",
  name: "video1.mp4",
  type: "video",
  format: "mp4",
  size: 18_874_368,
  tags: ["demo", "cats"],
  uploaded: false,
  node: "farm-pc-1",
  sha256: "9f2c5a0e4b7d1c3a8e6f0b2d4c6a8e0f1b3d5c7a9e1f3b5d7c9a1e3f5b7d9c1a",
  used_by: [
    {
      username: "alice",
      serial: "R58M123ABC",
      task_id: 101,
      at: "2026-11-28T14:31:07.000Z",
      confirmed: true,
    },
  ],
  created_at: "2026-11-28T09:12:44.120Z",
};

function materialView(row: MaterialRow, uses: MaterialUseRow[]) {
  return {
    id: row.id,
    path: row.path,
    name: row.name,
    type: row.kind as Kind,
    format: row.format as Format,
    size: row.size,
    tags: JSON.parse(row.tags) as string[],
    uploaded: row.uploaded === 1,
    node: row.node,
    sha256: row.sha256,
    used_by: uses.map((u) => ({
      username: u.username,
      serial: u.serial,
      task_id: u.taskId,
      at: iso(u.at),
      confirmed: u.confirmed,
    })),
    created_at: iso(row.createdAt),
  };
}

const RegisterBody = T.Object(
  {
    path: T.String({
      minLength: 1,
      maxLength: 4096,
      description:
        "absolute path of a file on this PC: C:/Videos/a.mp4, C:\\Videos\\a.mp4, \\\\server\\share\\a.mp4 or /home/farm/a.mp4",
    }),
    tags: T.Optional(
      T.Array(T.String({ minLength: 1, maxLength: 50 }), {
        maxItems: 20,
        description: "labels that materials_tags picks by",
      }),
    ),
  },
  { additionalProperties: false },
);

/** Sets the example of `code` in a route's documented answers to one about materials. */
function example<D extends ReturnType<typeof doc>>(
  route: D,
  examples: Partial<Record<CodeValue, string>>,
): D {
  const responses = (route.detail as unknown as { responses: Record<string, ErrorResponseDoc> }).responses;
  for (const [code, message] of Object.entries(examples)) {
    const at =
      responses[String(httpStatusOf(Number(code) as CodeValue))]?.content["application/json"].examples?.[
        code
      ];
    if (at) at.value = { ...at.value, message, data: null };
  }
  return route;
}

interface ErrorResponseDoc {
  content: { "application/json": { examples?: Record<string, { value: Record<string, unknown> }> } };
}

const NOT_FOUND = "material 7 not found";

const IdParams = t.Object({ id: Id("the material's id") });

const ADD = example(
  doc({
    summary: "Add a material: register a file on this PC, or upload one",
    description:
      "JSON `{path, tags}` registers a file that stays where it is (the service never deletes it). " +
      "`multipart/form-data` with a `file` part (and optional `tags`, comma-separated or repeated) " +
      "uploads a copy into the data folder, streamed to disk; its size is capped by " +
      "`--material-max-size` (default 1 GiB; above → 41301). Types: mp4, mov (videos), jpg, jpeg, " +
      "png, webp (images); the file's first bytes must agree with its extension (else 40001). " +
      "A path already registered → 40901.",
    tags,
    data: MaterialSchema,
    example: EXAMPLE_MATERIAL,
    errors: [Code.invalid, Code.conflict, Code.tooLarge],
  }),
  {
    [Code.invalid]: 'path: "C:/Videos/a.mp4" not found: it is a Windows path and this service runs on Linux',
    [Code.conflict]: '"C:\\Videos\\video1.mp4" is already material 7',
    [Code.tooLarge]: "the file is larger than 1 GiB (the --material-max-size limit)",
  },
);

const ADD_BODIES = {
  required: true,
  content: {
    "application/json": {
      schema: RegisterBody,
      example: { path: "C:/Videos/video1.mp4", tags: ["demo", "cats"] },
    },
    "multipart/form-data": {
      schema: {
        type: "object",
        required: ["file"],
        properties: {
          file: { type: "string", format: "binary", description: "the video or image" },
          tags: { type: "string", description: "comma-separated tags", example: "demo,cats" },
        },
      },
    },
  },
};

const FILE_ROUTE = {
  detail: fileDoc({
    summary: "A material's file",
    description:
      "The file's bytes, streamed, with `Content-Type` by its format, `Content-Length`, and its SHA-256 as " +
      "`X-Content-SHA256` and `ETag` (`If-None-Match` with it → 304). Asked of a node that does not have the " +
      "file, the request is passed on to the node that has it (the material's `node`), whose answer streams " +
      "back chunked (without `Content-Length`); 50302 when that node cannot be reached. 40401 when there is " +
      "no such material, or its file is no longer on that node's disk. " +
      "The farm's nodes fetch a library file posted on another PC's phone through this.",
    tags,
    file: "the file",
    types: [...new Set(Object.values(MIME_OF))],
    headers: {
      "X-Content-SHA256": { description: "SHA-256 of the content, hex" },
      ETag: { description: 'the SHA-256 in quotes: "<hex>"' },
    },
    errors: [Code.invalid, Code.notFound, Code.nodeUnavailable],
  }),
} as unknown as ReturnType<typeof doc>;

const CheckOutcomeSchema = T.Object({
  issues: T.Array(T.Object({ path: T.String(), message: T.String() }), {
    description: "what this node cannot find, by the config's field; empty: every file is there",
  }),
  warnings: T.Array(T.String(), { description: "what could not be checked" }),
});

const PathsCheckBody = t.Object(
  {
    script_config: materialConfig,
    accounts: t.Array(
      t.Object({
        serial: t.String({ minLength: 1, description: "a phone this node holds" }),
        username: t.Union([t.String(), t.Null()], {
          description: "the account the tasks run as; null: not read yet",
        }),
        tasks: t.Integer({ minimum: 1, description: "how many tasks of this config it gets" }),
        queued: t.Array(t.Object({}, { additionalProperties: true }), {
          description: "the configs of its post tasks queued before",
        }),
      }),
      { maxItems: 10_000 },
    ),
  },
  { additionalProperties: false },
);

export function materialRoutes(materials: Materials, peers: Peers | null = null) {
  const view = async (row: MaterialRow) =>
    materialView(row, (await materials.usesOf([row.path])).get(row.path) ?? []);

  async function create(request: Request, body: unknown) {
    if (isMaterialUpload(request)) {
      const length = Number(request.headers.get("content-length") ?? 0);
      if (length > materials.maxUploadBytes + MULTIPART_OVERHEAD) {
        throw new AppError(
          Code.tooLarge,
          `the upload is larger than ${formatBytes(materials.maxUploadBytes)} (the --material-max-size limit)`,
        );
      }
      if (!request.body) throw AppError.invalid('no file: send it in the multipart field "file"');
      return materials.upload(request.body, request.headers.get("content-type") ?? "");
    }
    if (body === null || body === undefined) {
      throw AppError.invalid(
        'send JSON {"path": "C:/Videos/a.mp4", "tags": ["demo"]}, or a multipart upload',
      );
    }
    const errors = [...Value.Errors(RegisterBody, body)];
    if (errors.length > 0) throw invalidFields("body", errors, `POST ${PATH}`);
    const { path, tags: given } = body as { path: string; tags?: string[] };
    return materials.register(path, given);
  }

  return new Elysia({ prefix: PATH })
    .post("", async ({ request, body }) => ok(await view(await create(request, body))), {
      response: ADD.response,
      // one operation, two bodies: a JSON registration or a multipart upload
      detail: { ...ADD.detail, requestBody: ADD_BODIES } as never,
    })
    .get(
      "",
      ({ query }) =>
        paged(
          "materials",
          query,
          async (page, size) => {
            const { rows, total } = await materials.list(
              { tag: query.tag, kind: query.type, used: query.used },
              page,
              size,
            );
            const uses = await materials.usesOf(rows.map((r) => r.path));
            return { rows: rows.map((r) => materialView(r, uses.get(r.path) ?? [])), total };
          },
          (v) => v,
        ),
      {
        query: t.Object({
          tag: t.Optional(t.String({ minLength: 1, description: "only materials with this tag (any case)" })),
          type: t.Optional(
            t.Union([t.Literal("video"), t.Literal("image")], { description: "video or image" }),
          ),
          used: t.Optional(
            WholeNumber({
              minimum: 0,
              maximum: 1,
              description: "1: posted (or possibly posted) at least once; 0: never posted",
            }),
          ),
          ...pageQuery,
        }),
        ...example(
          doc({
            summary: "List materials",
            description:
              "Newest first. Filters combine: `?tag=demo&type=video&used=0` is demo videos never posted.",
            tags,
            data: Page("materials", MaterialSchema),
            example: { materials: [EXAMPLE_MATERIAL], total: 1, page: 1, page_size: 20 },
            errors: [Code.invalid],
          }),
          { [Code.invalid]: 'type: must be one of "video", "image"' },
        ),
      },
    )
    .get("/:id", async ({ params }) => ok(await view(await materials.get(params.id))), {
      params: IdParams,
      ...example(
        doc({
          summary: "One material, with every post of it",
          description: "The material, its tags and which accounts posted it, when.",
          tags,
          data: MaterialSchema,
          example: EXAMPLE_MATERIAL,
          errors: [Code.invalid, Code.notFound],
        }),
        { [Code.notFound]: NOT_FOUND },
      ),
    })
    .get(
      "/:id/file",
      async ({ params, request }) => {
        const row = await materials.get(params.id);
        if (peers?.elsewhere(row.node, request)) return peers.forward(row.node, request);
        const file = await materials.localFile(row);
        const etag = `"${file.sha256}"`;
        const hash = { etag, "x-content-sha256": file.sha256 };
        if (request.headers.get("if-none-match") === etag)
          return new Response(null, { status: 304, headers: hash });
        return new Response(Bun.file(file.path), {
          headers: {
            ...hash,
            "content-type": MIME_OF[row.format as Format],
            "content-length": String(file.size),
            "content-disposition": `inline; filename*=UTF-8''${encodeURIComponent(row.name)}`,
          },
        });
      },
      {
        params: IdParams,
        detail: example(FILE_ROUTE, {
          [Code.notFound]: 'material 7\'s file "/home/farm/video1.mp4" is no longer there on node farm-pc-1',
          [Code.nodeUnavailable]:
            "node farm-pc-1 (http://192.168.1.20:50809) did not answer: Unable to connect",
        }).detail,
      },
    )
    .post(
      PATHS_CHECK.slice(PATH.length),
      async ({ body }) => ok(await materials.checkHere(body.script_config, body.accounts)),
      {
        body: PathsCheckBody,
        ...doc({
          summary: "Node to node: which of a post's files this node sees",
          description:
            "Asked by another node of the farm while it accepts `POST /task` for phones this node holds: a " +
            "`material_list` or a folder (`material_path`) is read on the PC that runs the task, so that PC " +
            "says whether it sees them (and, for a folder, whether each account has files left). The asking " +
            "node refuses the task with 40001 naming what this node cannot see. Not meant for people.",
          tags,
          data: CheckOutcomeSchema,
          example: {
            issues: [
              {
                path: "/script_config/material_list/0",
                message: '"/home/farm/a.mp4" does not exist on this PC',
              },
            ],
            warnings: [],
          },
          errors: [Code.invalid],
        }),
      },
    )
    .delete(
      "/:id",
      async ({ params, request }) => {
        // an upload is deleted with its file, by the node whose disk has it
        const owner = await materials.get(params.id);
        // its answer as the owner gave it (typed as never: the route's schema is for answers made here)
        if (peers?.elsewhere(owner.node, request)) return (await peers.forward(owner.node, request)) as never;
        const row = await materials.remove(params.id);
        return ok({ deleted: true as const, file_deleted: row.uploaded === 1 });
      },
      {
        params: IdParams,
        ...example(
          doc({
            summary: "Delete a material",
            description:
              "An uploaded material's copy in the data folder is deleted with it. A registered file of the " +
              "user's is only forgotten: the file itself is never touched (`file_deleted: false`). Asked of " +
              "a node that does not have the file, the request is passed on to the node that has it " +
              "(50302 when that node cannot be reached).",
            tags,
            data: T.Object({
              deleted: T.Literal(true),
              file_deleted: T.Boolean({ description: "true when our uploaded copy was removed from disk" }),
            }),
            example: { deleted: true, file_deleted: false },
            errors: [Code.invalid, Code.notFound, Code.nodeUnavailable],
          }),
          { [Code.notFound]: NOT_FOUND },
        ),
      },
    );
}

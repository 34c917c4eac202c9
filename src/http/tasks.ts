// /api/v1/task: thin handlers over the task service.
import { Type as T, type TSchema } from "@sinclair/typebox";
import { Elysia, t } from "elysia";
import { literalUnion, TASK_SOURCES, type TaskSource } from "../domain.ts";
import type { Evidence } from "../tasks/evidence.ts";
import { CreateTasksRequest } from "../tasks/request.ts";
import type { TaskRow, TaskService } from "../tasks/service.ts";
import { AppError, Code, doc, named, ok, Page, paged, pageQuery, pngDoc } from "./envelope.ts";
import { Id, WholeNumber } from "./params.ts";
import { answeredBy, fromHolder, type Peers } from "./peers.ts";
import { EXAMPLE_TASK, TaskDetailRef, TaskRef, taskLogView, taskView } from "./views.ts";

const tags = ["tasks"];

const TaskIdParams = T.Object({ task_id: Id("the task's id") });

/** No body, `{}`, or the flag: the public docs send none. */
const RetryAllBody = T.Optional(
  T.Object(
    {
      include_all: T.Optional(
        T.Boolean({
          description:
            "true: every failed task, also those stopped by the user, those that failed after Post was tapped (they may be published already) and permanent failures; default false",
        }),
      ),
    },
    { additionalProperties: false },
  ),
);

const RetryBody = T.Optional(
  T.Object(
    {
      confirm_repost: T.Optional(
        T.Boolean({
          description:
            "required (true) to retry a task that failed after Post was tapped (or a comment was sent): it may be published already, and may be published twice; default false",
        }),
      ),
    },
    { additionalProperties: false },
  ),
);

const SkippedRef = named(
  "RetrySkipped",
  T.Object(
    {
      post_tapped: T.Integer({
        description:
          "failed after Post was tapped (or a comment was sent): may be published already; the unconfirmed " +
          "posts (failure_reason `unconfirmed`) are among them",
      }),
      stopped_by_user: T.Integer({ description: "stopped by the user" }),
      permanent: T.Integer({ description: "any other permanent failure (it would fail again as it is)" }),
    },
    { description: "the failed tasks left failed, by why (each counted once, in this order)" },
  ),
);

export const ListTasksQuery = t.Object({
  status: t.Optional(
    WholeNumber({ minimum: 0, maximum: 3, description: "0 pending, 1 running, 2 completed, 3 failed" }),
  ),
  serial: t.Optional(t.String({ minLength: 1 })),
  script_name: t.Optional(t.String({ minLength: 1 })),
  source: t.Optional(literalUnion(TASK_SOURCES)),
  ...pageQuery,
});

const StatsRef = named(
  "Stats",
  T.Object({
    total: T.Integer(),
    pending: T.Integer(),
    running: T.Integer(),
    completed: T.Integer(),
    failed: T.Integer(),
  }),
);

/** The header by which the dashboard marks the tasks made from it; every other request makes `api` tasks. */
export const SOURCE_HEADER = "x-farm-source";

function sourceOf(request: Request): TaskSource {
  return request.headers.get(SOURCE_HEADER)?.trim().toLowerCase() === "ui" ? "ui" : "api";
}

/** POST /task's docs, with the optional source header. */
function withSourceHeader<S extends TSchema>(d: Parameters<typeof doc<S>>[0]) {
  const route = doc(d);
  return {
    ...route,
    detail: {
      ...route.detail,
      parameters: [
        {
          name: "X-Farm-Source",
          in: "header" as const,
          required: false,
          description:
            'the tasks\' `source`: "ui" marks tasks made from the dashboard (at /); anything else, or none, is "api"',
          schema: { type: "string" as const, enum: ["ui", "api"] },
        },
      ],
    },
  };
}

const CreatedRef = named(
  "TasksCreated",
  T.Object({
    task_ids: T.Array(T.Integer()),
    created_count: T.Integer(),
    tasks: T.Array(
      T.Object({
        id: T.Integer(),
        serial: T.String(),
        due_at: T.String({
          format: "date-time",
          description:
            "when it becomes due (start_time's next occurrence, interval gaps); it may wait longer, see waiting_for",
        }),
      }),
      { description: "each new task, in the order of task_ids" },
    ),
    warnings: T.Array(T.String(), {
      description:
        "how the request was read where it could mean more than one thing (a field ignored because another wins), what could not be checked at creation (a library post in device mode on a phone whose account in use was not read yet), and what will keep the tasks from starting when expected (a start_time already past today, so due tomorrow; a phone offline or unauthorized; adb not answering); empty when nothing needs saying",
    }),
  }),
);

/** How a stop or delete reaches a run on another PC. */
const ELSEWHERE_ABORTS =
  "On a farm of several PCs (`--database`), a task another PC runs ends at once in the database, and that PC " +
  "aborts its run as soon as it hears of it (through the database; at its next heartbeat, 10 s, at the latest), " +
  "its cleanup and its phone's release as here; a PC that has stopped ran nothing more anyway.";

/** How long a task's read waits for the PC that ran it to say whether it kept a screenshot (a paused PC never does). */
const EVIDENCE_LOOKUP_MS = 5000;

/** Where a task's evidence is: the PC that ran it. */
const EVIDENCE_ON_ITS_PC = answeredBy("ran the task");

export function taskRoutes(service: TaskService, evidence: Evidence, peers: Peers | null) {
  const view = (row: TaskRow) => taskView(row, service.waitingFor(row), service.progressOf(row));
  const ranOn = (id: number) => () => service.ranOn(id);
  /** Whether a failure's screenshot is kept, asked of the PC that ran the task; false when it cannot say. */
  const hasScreenshot = async (task: TaskRow, request: Request): Promise<boolean> => {
    if (!peers?.elsewhere(task.node, request)) return evidence.screenshotPath(task.id) !== null;
    try {
      const answer = await peers.fetch(task.node, `/api/v1/task/${task.id}`, {
        signal: AbortSignal.timeout(EVIDENCE_LOOKUP_MS),
      });
      return ((await answer.json()) as { data?: { has_screenshot?: unknown } }).data?.has_screenshot === true;
    } catch (e) {
      if (e instanceof AppError || e instanceof SyntaxError) return false;
      throw e;
    }
  };
  return new Elysia({ prefix: "/api/v1/task" })
    .post("", async ({ body, request }) => ok(await service.create(body, sourceOf(request))), {
      body: CreateTasksRequest,
      ...withSourceHeader({
        summary: "Create tasks",
        description:
          "Device mode (`serials`) or username mode (`usernames`), never both. Atomic: every task is created, or none. " +
          "Unknown serials → 40001 (while adb is down it says so, and what to do), unknown usernames → 40004, missing script_name → 40002, unknown script → 40003; " +
          "each refusal names the nearest serial, script or field, or lists the valid ones. " +
          "The body is one schema per script (`CreateTask_*`, by `script_name`). Where two fields name the same " +
          "targets (follow: target_users, target_user, target_username; comment: target_post_urls, target_post_url) " +
          "the first given wins, as in the product's docs, and `warnings` names each field ignored. " +
          "Material files (material_list, material_path) must exist on the PC that holds the phone (asked by this " +
          "one when it is another PC of the farm: 50302 when it cannot be reached), and a post from the library or " +
          "a folder needs, per account, files " +
          "it has not posted yet for each of its tasks (else 40001 naming the account); in device mode the account " +
          "is the one the phone last showed in use, and when none was read yet `warnings` says so. " +
          "With `start_time` the tasks become due at its next occurrence; " +
          "`min_interval`/`max_interval` space consecutive tasks on one phone by a random gap in minutes. " +
          "A task in device mode names the account it ran as (`username`) once its phone showed it. " +
          "The answer says when each task is due (`tasks[].due_at`) and, in `warnings`, what will hold them: " +
          "a start_time already past today (due tomorrow), a target phone offline or unauthorized.",
        tags,
        data: CreatedRef,
        example: {
          task_ids: [101, 102],
          created_count: 2,
          tasks: [
            { id: 101, serial: "R58M123ABC", due_at: "2026-11-29T11:00:00.000Z" },
            { id: 102, serial: "R58M456DEF", due_at: "2026-11-29T11:00:00.000Z" },
          ],
          warnings: [
            "target_user is ignored: target_users is given, and it wins",
            "could not check the material library for the account in use on R58M456DEF: not read yet (match_accounts reads it)",
            "start_time 11:00 has passed today (it is 2026-11-28 11:26 UTC): due tomorrow, 2026-11-29 11:00 UTC",
            "phone R58M456DEF is unauthorized: allow USB debugging on the phone; its tasks wait until it is online",
          ],
        },
        errors: [
          Code.invalid,
          Code.scriptNameMissing,
          Code.scriptUnsupported,
          Code.noAccount,
          Code.nodeUnavailable,
        ],
      }),
    })
    .get(
      "",
      ({ query }) => {
        const filter = {
          status: query.status,
          serial: query.serial,
          scriptName: query.script_name,
          source: query.source,
        };
        return paged("tasks", query, (page, size) => service.list(filter, page, size), view);
      },
      {
        query: ListTasksQuery,
        ...doc({
          summary: "List tasks",
          description:
            "Newest first (created_at, then id, descending). Filters combine with AND. A pending task's " +
            "`waiting_for` says why it has not started (worked out now, from the phones, adb and the plan); " +
            "a running task's `progress` how far it has got.",
          tags,
          data: Page("tasks", TaskRef),
          example: { tasks: [EXAMPLE_TASK], total: 1, page: 1, page_size: 20 },
          errors: [Code.invalid],
        }),
      },
    )
    .get("/stats", async () => ok(await service.stats()), {
      ...doc({
        summary: "Count tasks by status",
        description: "Every task in the database, by status; `total` is their sum.",
        tags,
        data: StatsRef,
        example: { total: 120, pending: 30, running: 5, completed: 80, failed: 5 },
      }),
    })
    .post("/retry-all", async ({ body }) => ok(await service.retryAll(body?.include_all ?? false)), {
      body: RetryAllBody,
      ...doc({
        summary: "Retry failed tasks",
        description:
          "Failed tasks with a retryable failure (error_class `retryable`) become pending again, retry_count + 1, " +
          "error cleared. The others stay failed and are counted in `skipped`: a task that failed after Post was " +
          "tapped (running it again may post twice: among them every `unconfirmed` post), one stopped by the " +
          "user, any other permanent failure. " +
          'With `{"include_all": true}` every failed task is retried. No body is the same as `{}`.',
        tags,
        data: T.Object({
          retried_count: T.Integer(),
          skipped_count: T.Integer({ description: "the sum of `skipped`" }),
          skipped: SkippedRef,
        }),
        example: {
          retried_count: 4,
          skipped_count: 3,
          skipped: { post_tapped: 1, stopped_by_user: 2, permanent: 0 },
        },
        errors: [Code.invalid],
      }),
    })
    .delete("/batch", async ({ body }) => ok(await service.deleteBatch(body.task_ids)), {
      body: T.Object(
        {
          task_ids: T.Array(T.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }), {
            minItems: 1,
            maxItems: 10000,
          }),
        },
        { additionalProperties: false },
      ),
      ...doc({
        summary: "Delete several tasks",
        description: `Running ones are stopped first (their cleanup runs), then deleted with their logs. ${ELSEWHERE_ABORTS}`,
        tags,
        data: T.Object({ deleted_count: T.Integer(), not_found: T.Array(T.Integer()) }),
        example: { deleted_count: 2, not_found: [3] },
        errors: [Code.invalid],
      }),
    })
    .get(
      "/:task_id",
      async ({ params, request }) => {
        const { task, logs } = await service.get(params.task_id);
        const has_screenshot = await hasScreenshot(task, request);
        return ok({ ...view(task), has_screenshot, logs: logs.map(taskLogView) });
      },
      {
        params: TaskIdParams,
        ...doc({
          summary: "One task, with its log",
          description:
            "The task as listed, plus its log lines in order (timings in `duration_ms`). While it runs, " +
            "`progress` says for how long (`elapsed_s`), the step it is on, and how much is done (`fraction`, " +
            "when there is an estimate: account_warmup's time budget, post's upload percentage). On a farm of " +
            "several PCs `has_screenshot` is asked of the PC that ran the task, and is false while it cannot be reached.",
          tags,
          data: TaskDetailRef,
          example: {
            ...EXAMPLE_TASK,
            status: 1,
            status_text: "running",
            started_at: "2026-11-28T14:30:00.950Z",
            waiting_for: null,
            progress: { elapsed_s: 84.2, fraction: 0.45, step: "wait for the upload", detail: "upload 45%" },
            has_screenshot: false,
            logs: [
              { at: "2026-11-28T14:30:01.002Z", level: "info", message: "opened TikTok", duration_ms: 2140 },
            ],
          },
          errors: [Code.invalid, Code.notFound],
        }),
      },
    )
    .delete(
      "/:task_id",
      async ({ params }) => {
        await service.delete(params.task_id);
        return ok({ deleted: true });
      },
      {
        params: TaskIdParams,
        ...doc({
          summary: "Delete a task",
          description: `A running task is stopped first (its cleanup runs), then deleted with its logs. ${ELSEWHERE_ABORTS}`,
          tags,
          data: T.Object({ deleted: T.Literal(true) }),
          example: { deleted: true },
          errors: [Code.invalid, Code.notFound],
        }),
      },
    )
    .post(
      "/:task_id/stop",
      async ({ params }) => {
        await service.stop(params.task_id);
        return ok(view((await service.get(params.task_id)).task));
      },
      {
        params: TaskIdParams,
        ...doc({
          summary: "Stop a task",
          description:
            'Running → aborted, pending → will not run; either way it ends failed with "stopped by user". ' +
            `Completed or failed → 40901. ${ELSEWHERE_ABORTS} The task's log then says which PC runs it, and ` +
            "whether it is taken as stopped.",
          tags,
          data: TaskRef,
          example: {
            ...EXAMPLE_TASK,
            status: 3,
            status_text: "failed",
            error: "stopped by user",
            error_class: "permanent",
            failure_reason: "stopped",
            waiting_for: null,
          },
          errors: [Code.invalid, Code.notFound, Code.conflict],
        }),
      },
    )
    .post(
      "/:task_id/retry",
      async ({ params, body }) => {
        await service.retry(params.task_id, body?.confirm_repost ?? false);
        return ok(view((await service.get(params.task_id)).task));
      },
      {
        params: TaskIdParams,
        body: RetryBody,
        ...doc({
          summary: "Retry a failed task",
          description:
            "Failed → pending, retry_count + 1, error cleared. Any other status → 40901. A task that failed after " +
            'Post was tapped (or a comment was sent) may be published already: without `{"confirm_repost": true}` ' +
            "→ 40901 saying so, and nothing changes. No body is the same as `{}`.",
          tags,
          data: TaskRef,
          example: { ...EXAMPLE_TASK, retry_count: 1 },
          errors: [Code.invalid, Code.notFound, Code.conflict],
        }),
      },
    )
    .get(
      "/:task_id/screenshot",
      async ({ params }) => {
        await service.get(params.task_id);
        const file = evidence.screenshotPath(params.task_id);
        if (!file) throw new AppError(Code.notFound, `no screenshot was kept for task ${params.task_id}`);
        return new Response(Bun.file(file), { headers: { "content-type": "image/png" } });
      },
      {
        params: TaskIdParams,
        beforeHandle: ({ params, request }) => fromHolder(peers, request, ranOn(params.task_id)),
        detail: pngDoc({
          summary: "The screen when the task failed",
          description:
            "Saved with the UI dump when a task fails on a phone that is still online; pruned by age and size. " +
            `40401 when there is no such task, or no screenshot was kept for it. ${EVIDENCE_ON_ITS_PC}`,
          tags,
          image: "the screen as PNG",
          errors: [Code.invalid, Code.notFound, Code.nodeUnavailable],
        }),
      },
    )
    .get(
      "/:task_id/proof",
      async ({ params }) => {
        await service.get(params.task_id);
        const file = evidence.proofPath(params.task_id);
        if (!file)
          throw new AppError(Code.notFound, `no proof screenshot was kept for task ${params.task_id}`);
        return new Response(Bun.file(file), { headers: { "content-type": "image/png" } });
      },
      {
        params: TaskIdParams,
        beforeHandle: ({ params, request }) => fromHolder(peers, request, ranOn(params.task_id)),
        detail: pngDoc({
          summary: "The screen that proved a post",
          description:
            "A post is done when it is seen on its account: the screen that showed it (the newest post with its " +
            "caption, or the own story), see `result.proof`; pruned by age and size like failure evidence. " +
            `40401 when there is no such task, or no proof screenshot was kept for it. ${EVIDENCE_ON_ITS_PC}`,
          tags,
          image: "the screen as PNG",
          errors: [Code.invalid, Code.notFound, Code.nodeUnavailable],
        }),
      },
    );
}

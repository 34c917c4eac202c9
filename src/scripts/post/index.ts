/** `post`: a video or images from the task's material source, its caption rotated and spun, posted once. */
import type { PostOutcome, PostProof, PostRecord } from "../../domain.ts";
import type { ErrorDetail } from "../../errors.ts";
import { FetchFailed, MaterialError } from "../../materials/index.ts";
import type { ScriptContext } from "../context.ts";
import type { ScriptDefinition } from "../definition.ts";
import { ScriptError } from "../errors.ts";
import { useTaskAccount } from "../screen/accounts.ts";
import { type PostConfig, postConfig } from "./config.ts";
import { type PostInput, postFlow, proofWaitMs, UploadFailed } from "./flow.ts";
import { provePost, uploadEnded } from "./proof.ts";

/** The flow's inputs: the files from the material source, the caption after spintax and rotation. */
export async function resolveInput(ctx: ScriptContext<PostConfig>): Promise<PostInput> {
  try {
    const { kind, files, local, caption } = await ctx.materials.forTask(ctx.task);
    const copies = local.filter((path, i) => path !== files[i]?.path);
    ctx.log(
      `materials: ${files.map((f) => f.path).join(", ")}` +
        (copies.length > 0 ? ` (fetched from the node that has them: ${copies.join(", ")})` : ""),
    );
    return {
      files: files.map((f) => f.path),
      local,
      kind: kind === "image" ? "images" : "video",
      caption: caption.description,
      title: caption.title ?? undefined,
      settings: ctx.task.config,
    };
  } catch (e) {
    // the files were there when the task was created; now they are not: running again will not help
    if (e instanceof MaterialError) throw ScriptError.permanent(e.message);
    // another node has the file and could not give it now: it may later
    if (e instanceof FetchFailed) throw ScriptError.retryable(e.message);
    throw e;
  }
}

export const post: ScriptDefinition<typeof postConfig> = {
  name: "post",
  description: "Publish a video or images to TikTok or Instagram",
  configSchema: postConfig,
  example: {
    content_type: 0,
    captions: "Check my new video! #viral #trending",
    material_list: ["/home/farm/videos/video1.mp4"],
    upload_wait_time: 60,
  },
  async check(c, { materials }) {
    const issues: ErrorDetail[] = [];
    if (c.post_way === "useSound" && !c.sound_name) {
      issues.push({ path: "/script_config/sound_name", message: "required when post_way is useSound" });
    }
    if (c.add_sound === "custom" && !c.custom_sound_keyword) {
      issues.push({
        path: "/script_config/custom_sound_keyword",
        message: "required when add_sound is custom",
      });
    }
    // the materials last: their message names what is missing once the fields themselves are right
    return [...issues, ...(await materials.check(c))];
  },
  checkAccounts: (c, accounts, { materials }) => materials.checkUnposted(c, accounts),
  async run(ctx) {
    const input = await ctx.step("find the materials", () => resolveInput(ctx));
    const story = ctx.task.platform === "instagram" && input.settings.placement === "story";
    const record = (outcome: PostOutcome, message: string, proof: PostProof | null = null): PostRecord => ({
      outcome,
      message,
      caption: story ? "" : input.caption,
      title: input.title ?? "",
      story,
      files: input.files,
      proof,
    });
    const files = input.files.map((path) => ({ path }));
    // The moment Post is tapped the post may be up: the files are possibly posted, and what to look for is on
    // disk, so that a restart right after can still look for it (see settle).
    const flowCtx: ScriptContext<PostConfig> = {
      ...ctx,
      irreversible: async (what) => {
        await ctx.irreversible(what);
        await ctx.materials.markPossiblyPosted(ctx.task, files);
        await ctx.recordPost(record("tapped", "Post was tapped; not seen on the account yet"));
      },
    };
    try {
      const { proof } = await postFlow(flowCtx, input);
      await ctx.materials.confirmPosted(ctx.task.id, files);
      await ctx.recordPost(record("posted", `posted: ${proof.proof.seen}`, proof.proof), proof.screenshot);
      ctx.log(`proof: ${proof.proof.check}, ${proof.proof.seen}`);
    } catch (e) {
      if (e instanceof UploadFailed) await ctx.materials.dropPossiblyPosted(ctx.task.id, files);
      if (e instanceof ScriptError && e.reason === "unconfirmed") {
        await ctx.recordPost(record("unconfirmed", e.message));
      }
      throw e;
    }
  },
  async settle(ctx, tapped) {
    const session = await ctx.openApp();
    const tappedFiles = tapped.files.map((path) => ({ path }));
    // an upload the app was still making when the service stopped ends first: a cold start would cut it
    const upload = await ctx.step("wait for an upload under way", () =>
      uploadEnded(session, Math.max(1, ctx.task.config.upload_wait_time) * 1000),
    );
    if (upload.key === "failed") {
      // the app said so: nothing went up
      await ctx.materials.dropPossiblyPosted(ctx.task.id, tappedFiles);
      const message = `not found on the profile: ${session.label} showed "${upload.text}"`;
      return { record: { ...tapped, outcome: "not_found_after_restart", message } };
    }
    await useTaskAccount(ctx);
    const { post, lastSeen } = await ctx.step("look for the post on the account", () =>
      provePost(ctx, session, tapped, 0),
    );
    if (!post) {
      // still possibly posted: one look that missed it does not prove it is not up
      const message = `not found on the profile: ${lastSeen}`;
      return { record: { ...tapped, outcome: "not_found_after_restart", message } };
    }
    await ctx.materials.confirmPosted(ctx.task.id, tappedFiles);
    const message = `posted, verified after restart: ${post.proof.seen}`;
    return {
      record: { ...tapped, outcome: "verified_after_restart", message, proof: post.proof },
      screenshot: post.screenshot,
    };
  },
  // the upload, then the proof
  maxDurationS: (c) => 600 + c.upload_wait_time + proofWaitMs(c) / 1000 + c.sound_wait_time,
};

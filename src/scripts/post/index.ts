/** `post`: a video or images from the task's material source, its caption rotated and spun, posted once. */
import type { ErrorDetail } from "../../errors.ts";
import { MaterialError } from "../../materials/index.ts";
import type { ScriptContext } from "../context.ts";
import type { ScriptDefinition } from "../definition.ts";
import { ScriptError } from "../errors.ts";
import { type PostConfig, postConfig } from "./config.ts";
import { type PostInput, postFlow } from "./flow.ts";

/** The flow's inputs: the files from the material source, the caption after spintax and rotation. */
export function resolveInput(ctx: ScriptContext<PostConfig>): PostInput {
  try {
    const { kind, files, caption } = ctx.materials.forTask(ctx.task);
    ctx.log(`materials: ${files.map((f) => f.path).join(", ")}`);
    return {
      files: files.map((f) => f.path),
      kind: kind === "image" ? "images" : "video",
      caption: caption.description,
      title: caption.title ?? undefined,
      settings: ctx.task.config,
    };
  } catch (e) {
    // the files were there when the task was created; now they are not: running again will not help
    if (e instanceof MaterialError) throw ScriptError.permanent(e.message);
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
  check(c, { materials }) {
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
    return [...issues, ...materials.check(c)];
  },
  checkAccounts: (c, accounts, { materials }) => materials.checkUnposted(c, accounts),
  async run(ctx) {
    const input = await ctx.step("find the materials", async () => resolveInput(ctx));
    await postFlow(ctx, input);
    ctx.materials.markPosted(
      ctx.task,
      input.files.map((path) => ({ path })),
    );
  },
  maxDurationS: (c) => 600 + c.upload_wait_time + c.sound_wait_time,
};

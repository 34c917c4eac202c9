/** The `post` script's run: find the task's materials and caption, then the flow on the phone. */
import { MaterialError, markMaterialsPosted, resolvePostMaterials } from "../../materials/index.ts";
import { type ScriptContext, ScriptError } from "../context.ts";
import { type PostInput, type PostSettings, postFlow } from "./flow.ts";

export { type PostInput, type PostResult, type PostSettings, postFlow } from "./flow.ts";

/** The flow's inputs: the files from the material source, the caption after spintax and rotation. */
export function resolveInput(ctx: ScriptContext<PostSettings & Record<string, unknown>>): PostInput {
  try {
    const { kind, files, caption } = resolvePostMaterials(ctx.task);
    ctx.log(`materials: ${files.map((f) => f.path).join(", ")}`);
    return {
      files: files.map((f) => f.path),
      kind: kind === "image" ? "images" : "video",
      caption: caption.description,
      title: caption.title ?? undefined,
      settings: ctx.task.config,
      dataDir: ctx.dataDir,
    };
  } catch (e) {
    // the files were there when the task was created; now they are not: running again will not help
    if (e instanceof MaterialError) throw ScriptError.permanent(e.message);
    throw e;
  }
}

export async function run(ctx: ScriptContext<PostSettings & Record<string, unknown>>): Promise<void> {
  const input = await ctx.step("find the materials", async () => resolveInput(ctx));
  await postFlow(ctx, input);
  markMaterialsPosted(
    ctx.task,
    input.files.map((path) => ({ path })),
  );
}

/** The `post` script's run: resolve the inputs, then the flow on the phone. */
import type { ScriptContext } from "../context.ts";
import { type PostInput, type PostSettings, postFlow } from "./flow.ts";

export { type PostInput, type PostResult, type PostSettings, postFlow } from "./flow.ts";

/**
 * The inputs from the task's config as given. The materials & captions work replaces this with the real
 * resolution (library, folders, spintax, `##` title split); the flow takes whatever it returns.
 */
export async function resolveInput(ctx: ScriptContext): Promise<PostInput> {
  const c = ctx.task.config;
  const [title, ...rest] = String(c.captions ?? "").split("##");
  const split = ctx.task.platform === "tiktok" && rest.length > 0;
  return {
    files: (c.material_list as string[] | undefined) ?? [],
    kind: c.content_type === 1 ? "images" : "video",
    caption: split ? rest.join("##") : String(c.captions ?? ""),
    title: split ? title : undefined,
    settings: c as unknown as PostSettings,
    dataDir: process.env.FARM_DATA_DIR,
  };
}

export async function run(ctx: ScriptContext): Promise<void> {
  await postFlow(ctx, await resolveInput(ctx));
}

/**
 * Posting one video (or a set of images) on one phone: push the media, enter the app by `post_way`,
 * walk its screens with the UI toolkit, type the caption, tap Post once and watch the upload. The
 * inputs are already resolved (files on this PC, the final caption): see `PostInput`.
 */
import { extname } from "node:path";
import type { Platform } from "../../domain.ts";
import type { ScriptContext } from "../context.ts";
import { ScriptError } from "../errors.ts";
import { pushMedia } from "../media.ts";
import { runFlow } from "../screen/app.ts";
import { ScreenNeverCame, type Selector } from "../screen/index.ts";
import { checkCanType, typeExactly } from "../screen/typing.ts";
import type { PostConfig } from "./config.ts";
import { provePost, type SeenPost, uploadEnded } from "./proof.ts";

export interface PostInput {
  /** Absolute paths on this PC, in posting order: one video, or the images. */
  files: string[];
  kind: "video" | "images";
  /** The final caption, exactly as it must appear (TikTok: the description). */
  caption: string;
  /** TikTok only: the title (the part before `##`); empty or absent for none. */
  title?: string;
  /** The task's config: how to post. */
  settings: PostConfig;
}

export interface PostResult {
  package: string;
  version: string;
  /** Paths the media had on the phone (removed again by the cleanup). */
  remoteFiles: string[];
  dumps: number;
  taps: { what: string; x: number; y: number }[];
  /** The post as it was seen on the account. */
  proof: SeenPost;
}

const INSTAGRAM_STORY_SHARE = "com.instagram.share.handleractivity.StoryShareHandlerActivity";
const SCREEN_TIMEOUT_MS = 15_000;
const MIME: Record<string, string> = {
  ".mp4": "video/mp4",
  ".mov": "video/quicktime",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".png": "image/png",
  ".webp": "image/webp",
};

/** How long the post is looked for on the account after the upload: at least 30 s, else upload_wait_time. */
export const proofWaitMs = (s: PostConfig) => Math.max(30, s.upload_wait_time) * 1000;

/** The app said the upload failed: nothing was posted, so it may be tried again. */
export class UploadFailed extends ScriptError {
  constructor(message: string) {
    super(message, "retryable");
  }
}

export async function postFlow(ctx: ScriptContext, input: PostInput): Promise<PostResult> {
  return runFlow(ctx, () => walk(ctx, input));
}

async function walk(ctx: ScriptContext, input: PostInput): Promise<PostResult> {
  const { phone, signal, task } = ctx;
  const app: Platform = task.platform;
  const s = input.settings;
  const { pkg, version, selectors, ui, sel, label } = await ctx.openApp(app);
  const opts = { signal };

  await checkCanType(ctx, [input.caption, input.title ?? ""], "the caption");

  // ---- media ----------------------------------------------------------------------------------------
  const pushed = await pushMedia(ctx, input.files);
  const remoteFiles = pushed.map((m) => m.remote);
  const uris = pushed.map((m) => m.uri);

  const story = app === "instagram" && s.placement === "story";
  // Until Post is tapped a failure may be retried; after, only when the app says the upload failed.
  let postTapped = false;
  let proof: SeenPost | undefined;
  try {
    await walkToCaption();
    await typeCaption();
    await applyPostOptions();
    await ctx.step("tap Post", async () => {
      const target =
        app === "tiktok"
          ? sel("post", "post")
          : story
            ? [...sel("story", "yourStory"), ...sel("caption", "share")]
            : sel("caption", "share");
      const { node } = await ui.waitFor(
        "the Post button",
        { post: target },
        { timeoutMs: SCREEN_TIMEOUT_MS },
      );
      postTapped = true;
      ctx.irreversible("Post was tapped");
      await ui.tap(node, "Post");
    });
    await ctx.step("wait for the upload", async () => {
      const timeoutMs = Math.max(1, s.upload_wait_time) * 1000;
      const ended = await uploadEnded({ ui, sel }, timeoutMs);
      if (ended.key === "failed") {
        throw new UploadFailed(`upload failed: ${label} showed "${ended.text}"`);
      }
      if (ended.key === "timeout") {
        // the profile cannot show it yet, and leaving the upload's screen could stall it
        throw ScriptError.unconfirmed(
          `unconfirmed: Post was tapped, but the upload still showed its progress after ${s.upload_wait_time} s ` +
            "(upload_wait_time); it may be published: not retried",
        );
      }
      ctx.log(
        ended.key === "done"
          ? `the upload is over, the app said posted: "${ended.text}"`
          : "the upload is over: its progress is gone",
      );
    });
    // a success text alone proves nothing: the post must be seen on the account
    const session = { app, label, pkg, version, selectors, ui, sel };
    const claim = { caption: story ? "" : input.caption, title: input.title ?? "", story };
    const seen = await ctx.step("prove the post", () => provePost(ctx, session, claim, proofWaitMs(s)));
    if (!seen.post) {
      throw ScriptError.unconfirmed(
        `unconfirmed: Post was tapped, but the post was not seen on the account within ` +
          `${Math.round(proofWaitMs(s) / 1000)} s (${seen.lastSeen}); it may be published: not retried`,
      );
    }
    proof = seen.post;
  } catch (e) {
    if (signal.aborted) throw e;
    if (e instanceof UploadFailed) throw e;
    if (!postTapped) {
      if (e instanceof ScreenNeverCame) throw ScriptError.retryable(`screen never came: ${e.message}`);
      throw e;
    }
    // Post was tapped: whatever went wrong, the post may be up; never retried, never plain "failed"
    if (e instanceof ScriptError && e.reason === "unconfirmed") throw e;
    throw ScriptError.unconfirmed(
      `unconfirmed: Post was tapped, then: ${(e as Error).message}; it may be published: not retried`,
    );
  } finally {
    ctx.log(`${ui.dumps} UI dumps, ${ui.taps.length} taps`);
  }
  return { package: pkg, version, remoteFiles, dumps: ui.dumps, taps: ui.taps, proof };

  // ---- screens -----------------------------------------------------------------------------------

  async function walkToCaption(): Promise<void> {
    const mime = MIME[extname(input.files[0] ?? "").toLowerCase()] ?? "*/*";
    if (s.post_way === "share") {
      // a story is shared to Instagram's "Stories" target, which opens the story editor
      const activity = story ? INSTAGRAM_STORY_SHARE : selectors.shareActivity;
      await ctx.step("open the app by a share intent", () =>
        phone.shareFiles(pkg, activity, input.kind === "video" ? mime : "image/*", uris, opts),
      );
    } else {
      await ctx.step("open the app", async () => {
        await phone.forceStop(pkg, opts);
        await phone.startApp(pkg, undefined, opts);
      });
      if (s.post_way === "useSound") await openSound();
      else await ctx.step("tap Create", () => ui.waitAndTap("the Create button", sel("home", "create")));
      await pickFromGallery();
    }
    if (app === "tiktok") {
      await addSound();
      await ctx.step("editor: Next", () => ui.waitAndTap("the editor's Next", sel("editor", "next")));
    } else if (!(story && s.post_way === "share")) {
      await ctx.step("edit: Next", () => ui.waitAndTap("the edit screen's Next", sel("edit", "next")));
    }
  }

  async function openSound(): Promise<void> {
    if (app !== "tiktok") throw ScriptError.permanent("post_way useSound is for TikTok only");
    await ctx.step(`open the sound "${s.sound_name}"`, async () => {
      await ui.waitAndTap("the search button", sel("home", "search"));
      const { node } = await ui.waitFor("the search box", { box: sel("sound", "searchBox") });
      await ui.tap(node, "search box");
      await phone.typeText(s.sound_name, opts);
      await phone.keyEvent(66, opts);
      await ui.waitAndTap("the Sounds tab", sel("sound", "soundsTab"));
      await ui.waitAndTap(`a sound named "${s.sound_name}"`, sel("sound", "firstResult"), {
        timeoutMs: Math.max(SCREEN_TIMEOUT_MS, s.sound_wait_time * 1000),
      });
      await ui.waitAndTap('"Use this sound"', sel("sound", "useSound"));
    });
  }

  async function pickFromGallery(): Promise<void> {
    const count = input.files.length;
    if (app === "tiktok") {
      await ctx.step("open the gallery", () =>
        ui.waitAndTap("the camera's upload button", sel("camera", "upload")),
      );
      await ctx.step(`select ${count} item(s), Next`, async () => {
        const { screen } = await ui.waitFor("the gallery", { select: sel("gallery", "select") });
        const boxes = screen.findAll(sel("gallery", "select"));
        if (boxes.length < count)
          throw ScriptError.retryable(`the gallery shows ${boxes.length} item(s), not ${count}`);
        // newest first: ours are the first `count` cells, the first file pushed last in that run
        for (let i = count - 1; i >= 0; i--)
          await ui.tap(boxes[i] as (typeof boxes)[number], `gallery cell ${i + 1}`);
        // Next stays where it was (it only becomes enabled): no second dump for it
        const next = screen.find(sel("gallery", "next"));
        if (next) await ui.tap(next, "gallery Next");
        else await ui.waitAndTap("the gallery's Next", sel("gallery", "next"));
      });
    } else {
      await ctx.step(`choose ${s.placement}, select the media`, async () => {
        const { node, screen } = await ui.waitFor("the gallery", { tab: sel("gallery", s.placement) });
        // the tab already chosen keeps this grid: its thumbnail is tapped from the same dump
        const thumbnail = node.selected ? screen.find(sel("gallery", "thumbnail")) : undefined;
        if (thumbnail) {
          await ui.tap(thumbnail, "gallery thumbnail");
          return;
        }
        await ui.tap(node, s.placement);
        await ui.waitAndTap("a gallery thumbnail", sel("gallery", "thumbnail"));
      });
    }
  }

  async function addSound(): Promise<void> {
    if (s.add_sound === "-1" || s.add_sound === "0") return;
    await ctx.step(
      `add a sound (${s.add_sound === "custom" ? `"${s.custom_sound_keyword}"` : "recommended"})`,
      async () => {
        await ui.waitAndTap('"Add sound"', sel("editor", "addSound"));
        if (s.add_sound === "custom") {
          await ui.waitAndTap("the sound search", sel("editor", "soundSearch"));
          await phone.typeText(s.custom_sound_keyword, opts);
          await phone.keyEvent(66, opts);
          await ui.waitAndTap("a sound result", sel("editor", "soundResult"), {
            timeoutMs: Math.max(SCREEN_TIMEOUT_MS, s.sound_wait_time * 1000),
          });
        } else {
          await ui.waitAndTap("a recommended sound", sel("editor", "soundRecommended"), {
            timeoutMs: Math.max(SCREEN_TIMEOUT_MS, s.sound_wait_time * 1000),
          });
        }
        await ui.waitAndTap('"Volume"', sel("editor", "volume"));
        await setVolume(
          "the original sound's volume",
          sel("editor", "originalVolume"),
          s.origin_sound_volume,
        );
        await setVolume("the added sound's volume", sel("editor", "addedVolume"), s.add_sound_volume);
        await ui.waitAndTap('"Done"', sel("editor", "done"));
      },
    );
  }

  /** Taps a slider where `percent` (0–100) of its width lies. */
  async function setVolume(what: string, slider: Selector, percent: number): Promise<void> {
    const { node } = await ui.waitFor(what, { slider });
    const { x1, x2 } = node.bounds;
    const x = Math.round(x1 + ((x2 - x1 - 1) * Math.min(100, Math.max(0, percent))) / 100);
    await ui.tap({ ...node, bounds: { ...node.bounds, x1: x, x2: x } }, `${what} ${percent}`);
  }

  async function typeCaption(): Promise<void> {
    if (story) {
      if (input.caption) ctx.log("a story has no caption: the caption is not typed");
      return;
    }
    const field = app === "tiktok" ? sel("post", "description") : sel("caption", "caption");
    await ctx.step("type the caption", async () => {
      if (app === "tiktok" && input.title) {
        await ui.waitAndTap("the title field", sel("post", "title"));
        await typeExactly(ctx, input.title, "the title");
      }
      if (input.caption) {
        await ui.waitAndTap("the caption field", field);
        await typeExactly(ctx, input.caption, "the caption");
      }
    });
  }

  async function applyPostOptions(): Promise<void> {
    if (app === "tiktok" && input.settings.add_product_link === 1) {
      await ctx.step("add a product link", async () => {
        await ui.waitAndTap('"Add link"', sel("post", "addLink"));
        await ui.waitAndTap('"Products"', sel("post", "productLink"));
      });
    }
  }
}

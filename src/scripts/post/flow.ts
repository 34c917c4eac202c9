/**
 * Posting one video (or a set of images) on one phone: push the media, enter the app by `post_way`,
 * walk its screens with the UI toolkit, type the caption, tap Post once and watch the upload. The
 * inputs are already resolved (files on this PC, the final caption): see `PostInput`.
 */
import { extname } from "node:path";
import type { UiNode } from "../../devices/index.ts";
import type { Platform } from "../../domain.ts";
import type { ScriptContext } from "../context.ts";
import { ScriptError } from "../errors.ts";
import { pushMedia } from "../media.ts";
import { runFlow } from "../screen/app.ts";
import { type Screen, ScreenNeverCame, type Selector, TapHadNoEffect } from "../screen/index.ts";
import { checkCanType, typeInto } from "../screen/typing.ts";
import type { PostConfig } from "./config.ts";

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
}

const SCREEN_TIMEOUT_MS = 15_000;
/**
 * The pauses between looks at the upload: soon at first (a short upload's result), then every 5 s (a dump
 * costs 1–3 s on a real phone, an upload takes minutes).
 */
const UPLOAD_POLL_MS = [1000, 2000, 3000, 5000];
const MIME: Record<string, string> = {
  ".mp4": "video/mp4",
  ".mov": "video/quicktime",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".png": "image/png",
  ".webp": "image/webp",
};

const sameBounds = (a: UiNode, b: UiNode) =>
  a.bounds.x1 === b.bounds.x1 && a.bounds.y1 === b.bounds.y1 && a.bounds.x2 === b.bounds.x2;

/** The app said the upload failed: nothing was posted, so it may be tried again. */
class UploadFailed extends ScriptError {
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
  const session = await ctx.openApp(app);
  const { pkg, version, selectors, ui, sel, label, page } = session;
  const opts = { signal };

  await checkCanType(ctx, [input.caption, input.title ?? ""], "the caption");

  // ---- media ----------------------------------------------------------------------------------------
  const pushed = await pushMedia(ctx, input.files);
  const remoteFiles = pushed.map((m) => m.remote);
  const uris = pushed.map((m) => m.uri);

  const story = app === "instagram" && s.placement === "story";
  // Until Post is tapped a failure may be retried; after, only when the app says the upload failed.
  let postTapped = false;
  try {
    await walkToCaption();
    await typeCaption();
    await applyPostOptions();
    await ctx.step("tap Post", async () => {
      // an Instagram story ends on the story editor (shared) or the caption screen (Create)
      const from =
        app === "tiktok"
          ? page("post")
          : (await ui.waitForPage({ caption: page("caption"), storyEditor: page("storyEditor") })).key ===
              "caption"
            ? page("caption")
            : page("storyEditor");
      const target =
        app === "tiktok"
          ? sel("post", "post")
          : story
            ? [...sel("story", "yourStory"), ...sel("caption", "share")]
            : sel("caption", "share");
      // Post's bounds from a dump taken now: the caption typed, the keyboard down
      const { node } = await ui.onPage(from, "the Post button", target, { timeoutMs: SCREEN_TIMEOUT_MS });
      postTapped = true;
      ctx.irreversible("Post was tapped");
      // never tapped twice: a tap that changed nothing is a failure that says so
      await ui.tapToLeave(node, "Post", from);
    });
    await ctx.step("wait for the upload", async () => {
      const timeoutMs = Math.max(1, s.upload_wait_time) * 1000;
      const { key, node } = await ui.waitFor(
        "the upload's result",
        { failed: sel("upload", "failed"), done: sel("upload", "done") },
        { timeoutMs, intervalMs: UPLOAD_POLL_MS },
      );
      if (key === "failed") {
        throw new UploadFailed(`upload failed: ${label} showed "${node.text || node.contentDesc}"`);
      }
      ctx.log(`posted: "${node.text || node.contentDesc}"`);
    });
  } catch (e) {
    if (signal.aborted) throw e;
    if (e instanceof UploadFailed) throw e;
    if (e instanceof TapHadNoEffect && postTapped) {
      throw ScriptError.permanent(`${e.message}; not retried (a duplicate post is worse than a failure)`);
    }
    if (e instanceof ScreenNeverCame) {
      const message = postTapped
        ? `Post was tapped but ${e.message}; not retried (a duplicate post is worse than a failure)`
        : `screen never came: ${e.message}`;
      throw postTapped ? ScriptError.permanent(message) : ScriptError.retryable(message);
    }
    if (postTapped && !(e instanceof ScriptError && e.errorClass === "permanent")) {
      throw ScriptError.permanent(
        `Post was tapped, then: ${(e as Error).message}; not retried (a duplicate post is worse than a failure)`,
      );
    }
    throw e;
  } finally {
    ctx.log(`${ui.dumps} UI dumps, ${ui.taps.length} taps`);
  }
  return { package: pkg, version, remoteFiles, dumps: ui.dumps, taps: ui.taps };

  // ---- screens -----------------------------------------------------------------------------------

  async function walkToCaption(): Promise<void> {
    const mime = MIME[extname(input.files[0] ?? "").toLowerCase()] ?? "*/*";
    if (s.post_way === "share") {
      // Instagram: the activity of the target (reel, story), so no chooser asks which one
      const activity = app === "instagram" ? selectors.shareActivities[s.placement] : selectors.shareActivity;
      await ctx.step("open the app by a share intent", () =>
        phone.shareFiles(pkg, activity, input.kind === "video" ? mime : "image/*", uris, opts),
      );
      if (app === "instagram") await passChooser();
    } else {
      await ctx.step("open the app", async () => {
        await phone.forceStop(pkg, opts);
        await phone.startApp(pkg, undefined, opts);
      });
      if (s.post_way === "useSound") await openSound();
      else {
        await ctx.step("tap Create", () =>
          ui.leaveBy(page("home"), "the Create button", sel("home", "create"), {
            to: [page(app === "tiktok" ? "camera" : "gallery")],
          }),
        );
      }
      await pickFromGallery();
    }
    if (app === "tiktok") {
      await addSound();
      await ctx.step("editor: Next", () =>
        ui.leaveBy(page("editor"), "the editor's Next", sel("editor", "next"), { to: [page("post")] }),
      );
    } else if (!(story && s.post_way === "share")) {
      await ctx.step("edit: Next", () =>
        ui.leaveBy(page("edit"), "the edit screen's Next", sel("edit", "next"), { to: [page("caption")] }),
      );
    }
  }

  /** The system's "Share with" chooser, when the phone shows one after all: the target's row is picked. */
  async function passChooser(): Promise<void> {
    const next = page(story ? "storyEditor" : "edit");
    const chooser = page("chooser");
    const { key } = await ui.waitForPage({ next, chooser }, { timeoutMs: SCREEN_TIMEOUT_MS });
    if (key === "next") return;
    await ctx.step(`pick ${label}'s ${s.placement} in the share chooser`, () =>
      ui.leaveBy(chooser, `${label}'s ${s.placement} target`, sel("chooser", s.placement), { to: [next] }),
    );
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
    const gallery = page("gallery");
    if (app === "tiktok") {
      await ctx.step("open the gallery", () =>
        ui.leaveBy(page("camera"), "the camera's upload button", sel("camera", "upload"), { to: [gallery] }),
      );
      await ctx.step(`select ${count} item(s), Next`, async () => {
        const select = sel("gallery", "select");
        const { screen } = await ui.waitForPage({ gallery });
        const boxes = screen.findAll(select);
        if (boxes.length < count)
          throw ScriptError.retryable(`the gallery shows ${boxes.length} item(s), not ${count}`);
        // newest first: ours are the first `count` cells, the first file pushed last in that run; each
        // tick is seen before the next cell is tapped
        const ticked = (sc: Screen, i: number) => {
          const box = boxes[i] as UiNode;
          return sc.findAll(sel("gallery", "ticked")).some((n) => sameBounds(n, box)) ? sc : undefined;
        };
        for (let i = count - 1; i >= 0; i--) {
          await ui.tapUntil(boxes[i] as UiNode, `gallery cell ${i + 1}`, {
            check: (sc) => ticked(sc, i),
            unchanged: `gallery cell ${i + 1} is not ticked`,
          });
        }
        // Next becomes enabled once a cell is ticked
        const enabled = sel("gallery", "next").map((m) => ({ ...m, clickable: true }));
        await ui.leaveBy(gallery, "the gallery's enabled Next", enabled, { to: [page("editor")] });
      });
    } else {
      await ctx.step(`choose ${s.placement}, select the media`, async () => {
        const tabOf = sel("gallery", s.placement);
        const { node: tab } = await ui.onPage(gallery, `the ${s.placement} tab`, tabOf);
        if (!tab.selected) {
          await ui.tapUntil(tab, s.placement, {
            check: (sc) => (sc.shows(gallery) && sc.find(tabOf)?.selected ? sc : undefined),
            unchanged: `the ${s.placement} tab is not chosen`,
            retry: tabOf,
          });
        }
        await ui.leaveBy(gallery, "a gallery thumbnail", sel("gallery", "thumbnail"), {
          to: [page("edit"), page("storyEditor")],
        });
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
    const on = page(app === "tiktok" ? "post" : "caption");
    const suggestions = app === "tiktok" ? sel("post", "suggestions") : undefined;
    await ctx.step("type the caption", async () => {
      if (app === "tiktok" && input.title) {
        await typeInto(ctx, session, on, sel("post", "title"), input.title, "the title", suggestions);
      }
      if (input.caption) await typeInto(ctx, session, on, field, input.caption, "the caption", suggestions);
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

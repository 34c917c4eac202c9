/**
 * Posting one video (or a set of images) on one phone: push the media, enter the app by `post_way`,
 * walk its screens with the UI toolkit, type the caption, tap Post once and watch the upload. The
 * inputs are already resolved (files on this PC, the final caption): see `PostInput`.
 */
import type { UiNode } from "../../devices/index.ts";
import type { Platform } from "../../domain.ts";
import { formatOfName, MIME_OF } from "../../materials/media.ts";
import type { ScriptContext } from "../context.ts";
import { ScriptError } from "../errors.ts";
import { pushMedia } from "../media.ts";
import { runFlow } from "../screen/app.ts";
import { type Screen, ScreenNeverCame, type Selector, TapHadNoEffect } from "../screen/index.ts";
import { leaveByPlace } from "../screen/places.ts";
import { checkCanType, typeExactly, typeInto } from "../screen/typing.ts";
import type { PostConfig } from "./config.ts";
import { provePost, type SeenPost, uploadEnded } from "./proof.ts";
import { uploadProgress } from "./upload-progress.ts";

export interface PostInput {
  /** The files, in posting order (one video, or the images), by the path the library knows them by. */
  files: string[];
  /**
   * Where each of `files` is on this PC when not at that path (a library file another node has, fetched into
   * this node's cache); default: `files` themselves.
   */
  local?: string[];
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

const SCREEN_TIMEOUT_MS = 15_000;
const ENTER = 66;

const sameBounds = (a: UiNode, b: UiNode) =>
  a.bounds.x1 === b.bounds.x1 && a.bounds.y1 === b.bounds.y1 && a.bounds.x2 === b.bounds.x2;

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
  const session = await ctx.openApp(app);
  const { pkg, version, selectors, ui, sel, label, page } = session;
  const opts = { signal };

  await checkCanType(ctx, [input.caption, input.title ?? ""], "the caption");

  // ---- media ----------------------------------------------------------------------------------------
  const pushed = await pushMedia(ctx, input.local ?? input.files);
  const remoteFiles = pushed.map((m) => m.remote);
  const uris = pushed.map((m) => m.uri);

  const story = app === "instagram" && s.placement === "story";
  const soundWait = { timeoutMs: Math.max(SCREEN_TIMEOUT_MS, s.sound_wait_time * 1000) };
  // Until Post is tapped a failure may be retried; after, only when the app says the upload failed.
  let postTapped = false;
  // The screen a tap's effect was last seen on, when nothing touched the phone since: the next step looks
  // at it before it dumps again.
  let settled: Screen | undefined;
  const fresh = () => {
    const first = settled;
    settled = undefined;
    return first;
  };
  let proof: SeenPost | undefined;
  // when Post's tap reached the app: the upload began then (its rate is judged from it)
  let postedAt: number | undefined;
  try {
    await walkToCaption();
    await typeCaption();
    await applyPostOptions();
    await ctx.step("tap Post", async () => {
      // an Instagram story ends on the story editor (shared) or the caption screen (Create)
      const from =
        app === "tiktok"
          ? page("post")
          : (
                await ui.waitForPage(
                  { caption: page("caption"), storyEditor: page("storyEditor") },
                  { first: settled },
                )
              ).key === "caption"
            ? page("caption")
            : page("storyEditor");
      const target =
        app === "tiktok"
          ? sel("post", "post")
          : story
            ? [...sel("story", "yourStory"), ...sel("caption", "share")]
            : sel("caption", "share");
      // Post's bounds from a dump taken now: the caption typed, the keyboard down
      const { node } = await ui.onPage(from, "the Post button", target, {
        timeoutMs: SCREEN_TIMEOUT_MS,
        first: fresh(),
      });
      postTapped = true;
      await ctx.irreversible("Post was tapped");
      // never tapped twice: a tap that changed nothing is a failure that says so. Its effect is seen as the
      // post screen's activity giving way (a light read): the upload's looks that follow dump anyway
      settled = await ui.tapToLeaveActivity(node, "Post", from);
      postedAt = ui.tappedAt;
    });
    await ctx.step("wait for the upload", async () => {
      const timeoutMs = Math.max(1, s.upload_wait_time) * 1000;
      const ended = await uploadEnded({ ui, sel }, timeoutMs, {
        first: fresh(),
        since: postedAt,
        onScreen: uploadProgress(ctx, sel("upload", "progress")),
      });
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
    // the tap on Post changed nothing (the post screen is still shown): nothing went up, and it says so
    if (e instanceof TapHadNoEffect) {
      throw ScriptError.permanent(`${e.message}; not retried (a duplicate post is worse than a failure)`);
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
    let shared = s.post_way === "share";
    if (shared) await shareMedia();
    else {
      await ctx.step("open the app", async () => {
        await phone.forceStop(pkg, opts);
        await phone.startApp(pkg, undefined, opts);
        await ui.waitForApp(pkg, label);
      });
      if (s.post_way === "useSound") await openSound();
      else if (app === "instagram" && !(await createLabelled())) {
        // Instagram 410's "+" has no id, text or description: the media go in by the placement's share target
        ctx.log(
          `${label}'s Create button has no label here: the media go in by the ${s.placement} share target`,
        );
        shared = true;
        await shareMedia();
      } else {
        settled = await ctx.step("tap Create", () =>
          ui.leaveBy(page("home"), "the Create button", sel("home", "create"), {
            to: [page(app === "tiktok" ? "camera" : "gallery")],
            first: fresh(),
          }),
        );
      }
      if (!shared) await pickFromGallery();
    }
    if (app === "tiktok") {
      await addSound();
      // the post screen is another activity: its change is the effect, and the caption's field is tapped
      // where it lies (typeCaption), so neither screen needs a dump of its own when their places are known
      settled = await ctx.step("editor: Next", () =>
        leaveByPlace(session, "editor.next", page("editor"), "the editor's Next", sel("editor", "next"), {
          to: page("post"),
          first: fresh(),
        }),
      );
    } else if (!(story && shared)) {
      settled = await ctx.step("edit: Next", () =>
        ui.leaveBy(page("edit"), "the edit screen's Next", sel("edit", "next"), {
          to: [page("caption")],
          first: fresh(),
        }),
      );
    }
  }

  /** The media shared to the app (Instagram: the activity of the target, so no chooser asks which one). */
  async function shareMedia(): Promise<void> {
    const format = formatOfName(input.files[0] ?? "");
    const mime = format ? MIME_OF[format] : "*/*";
    const activity =
      (app === "instagram" ? selectors.shareActivities[s.placement] : selectors.shareActivity) || undefined;
    await ctx.step("open the app by a share intent", () =>
      phone.shareFiles(pkg, activity, input.kind === "video" ? mime : "image/*", uris, opts),
    );
    if (app === "instagram") await passChooser();
  }

  /** Whether the home feed's Create button can be told by its id or description. */
  async function createLabelled(): Promise<boolean> {
    const { screen } = await ui.waitForPage({ home: page("home") });
    settled = screen;
    return screen.has(sel("home", "create"));
  }

  /** The system's "Share with" chooser, when the phone shows one after all: the target's row is picked. */
  async function passChooser(): Promise<void> {
    const next = page(story ? "storyEditor" : "edit");
    const chooser = page("chooser");
    const { key, screen } = await ui.waitForPage({ next, chooser }, { timeoutMs: SCREEN_TIMEOUT_MS });
    if (key === "next") {
      settled = screen;
      return;
    }
    settled = await ctx.step(`pick ${label}'s ${s.placement} in the share chooser`, () =>
      ui.leaveBy(chooser, `${label}'s ${s.placement} target`, sel("chooser", s.placement), {
        to: [next],
        first: screen,
      }),
    );
  }

  async function openSound(): Promise<void> {
    if (app !== "tiktok") throw ScriptError.permanent("post_way useSound is for TikTok only");
    await ctx.step(`open the sound "${s.sound_name}"`, async () => {
      const search = page("search");
      await ui.leaveBy(page("home"), "the search button", sel("home", "search"), { to: [search] });
      await typeInto(ctx, session, search, sel("sound", "searchBox"), s.sound_name, "the sound's name");
      await phone.keyEvent(ENTER, opts);
      const tab = sel("sound", "soundsTab");
      const { node } = await ui.waitFor("the Sounds tab", { tab });
      if (!node.selected) {
        await ui.tapUntil(node, "Sounds", {
          check: (sc) => (sc.find(tab)?.selected ? true : undefined),
          unchanged: "the Sounds tab is not chosen",
          retry: tab,
        });
      }
      const result = sel("sound", "firstResult");
      const { node: row } = await ui.waitFor(`a sound named "${s.sound_name}"`, { result }, soundWait);
      const sound = page("sound");
      await ui.tapUntil(row, `the sound "${s.sound_name}"`, {
        check: (sc) => (sc.shows(sound) ? true : undefined),
        unchanged: "the sound's page did not open",
        retry: result,
      });
      await ui.leaveBy(sound, '"Use this sound"', sel("sound", "useSound"), { to: [page("camera")] });
    });
  }

  async function pickFromGallery(): Promise<void> {
    const count = input.files.length;
    const gallery = page("gallery");
    if (app === "tiktok") {
      settled = await ctx.step("open the gallery", () =>
        ui.leaveBy(page("camera"), "the camera's upload button", sel("camera", "upload"), {
          to: [gallery],
          first: fresh(),
        }),
      );
      await ctx.step(`select ${count} item(s), Next`, async () => {
        const select = sel("gallery", "select");
        const { screen } = await ui.waitForPage({ gallery }, { first: fresh() });
        const boxes = screen.findAll(select);
        if (boxes.length < count)
          throw ScriptError.retryable(`the gallery shows ${boxes.length} item(s), not ${count}`);
        // newest first: ours are the first `count` cells, the first file pushed last in that run; each
        // tick is seen before the next cell is tapped
        const ticked = (sc: Screen, i: number) => {
          const box = boxes[i] as UiNode;
          return sc.findAll(sel("gallery", "ticked")).some((n) => sameBounds(n, box)) ? sc : undefined;
        };
        let last: Screen | undefined;
        for (let i = count - 1; i >= 0; i--) {
          last = await ui.tapUntil(boxes[i] as UiNode, `gallery cell ${i + 1}`, {
            check: (sc) => ticked(sc, i),
            unchanged: `gallery cell ${i + 1} is not ticked`,
          });
        }
        // Next becomes enabled once a cell is ticked
        const enabled = sel("gallery", "next").map((m) => ({ ...m, clickable: true }));
        settled = await ui.leaveBy(gallery, "the gallery's enabled Next", enabled, {
          to: [page("editor")],
          first: last,
        });
      });
    } else {
      await ctx.step(`choose ${s.placement}, select the media`, async () => {
        const tabOf = sel("gallery", s.placement);
        const { node: tab } = await ui.onPage(gallery, `the ${s.placement} tab`, tabOf, { first: fresh() });
        if (!tab.selected) {
          settled = await ui.tapUntil(tab, s.placement, {
            check: (sc) => (sc.shows(gallery) && sc.find(tabOf)?.selected ? sc : undefined),
            unchanged: `the ${s.placement} tab is not chosen`,
            retry: tabOf,
          });
        }
        settled = await ui.leaveBy(gallery, "a gallery thumbnail", sel("gallery", "thumbnail"), {
          to: [page("edit"), page("storyEditor")],
          first: fresh(),
        });
      });
    }
  }

  async function addSound(): Promise<void> {
    if (s.add_sound === "-1" || s.add_sound === "0") return;
    settled = undefined; // the sound sheet's taps change the screen
    await ctx.step(
      `add a sound (${s.add_sound === "custom" ? `"${s.custom_sound_keyword}"` : "recommended"})`,
      async () => {
        const editor = page("editor");
        const volume = sel("editor", "volume");
        const { node: add } = await ui.onPage(editor, '"Add sound"', sel("editor", "addSound"));
        await ui.tapUntil(add, '"Add sound"', {
          check: (sc) => (sc.has(volume) ? true : undefined),
          unchanged: "the sound sheet did not open",
          retry: sel("editor", "addSound"),
        });
        const rows =
          s.add_sound === "custom" ? sel("editor", "soundResult") : sel("editor", "soundRecommended");
        if (s.add_sound === "custom") {
          const field: Selector = [{ class: "android.widget.EditText", focused: true }];
          const { node: search } = await ui.waitFor("the sound search", {
            search: sel("editor", "soundSearch"),
          });
          await ui.tapUntil(search, "the sound search", {
            check: (sc) => (sc.has(field) ? true : undefined),
            unchanged: "the sound search did not open",
          });
          await typeExactly(ctx, s.custom_sound_keyword, "the sound's keyword");
          await phone.keyEvent(ENTER, opts);
        }
        const what = s.add_sound === "custom" ? "a sound result" : "a recommended sound";
        const { node: row } = await ui.waitFor(what, { row: rows }, soundWait);
        const picked = rows.map((m) => ({ ...m, selected: true }));
        await ui.tapUntil(row, what, {
          check: (sc) => (sc.has(picked) ? true : undefined),
          unchanged: `${what} is not picked`,
          retry: rows,
        });
        const { node: volumeButton } = await ui.waitFor('"Volume"', { volume });
        await ui.tapUntil(volumeButton, '"Volume"', {
          check: (sc) => (sc.has(sel("editor", "originalVolume")) ? true : undefined),
          unchanged: "the volume sliders did not open",
          retry: volume,
        });
        await setVolume(
          "the original sound's volume",
          sel("editor", "originalVolume"),
          s.origin_sound_volume,
        );
        await setVolume("the added sound's volume", sel("editor", "addedVolume"), s.add_sound_volume);
        const { node: done } = await ui.waitFor('"Done"', { done: sel("editor", "done") });
        settled = await ui.tapUntil(done, '"Done"', {
          check: (sc) => (sc.shows(editor) && !sc.has(volume) ? sc : undefined),
          unchanged: "the sound sheet is still open",
          retry: sel("editor", "done"),
        });
      },
    );
  }

  /** Taps a slider where `percent` (0–100) of its width lies; its value is seen to change (or stay right). */
  async function setVolume(what: string, slider: Selector, percent: number): Promise<void> {
    const { node } = await ui.waitFor(what, { slider });
    const { x1, x2 } = node.bounds;
    const x = Math.round(x1 + ((x2 - x1 - 1) * Math.min(100, Math.max(0, percent))) / 100);
    const before = node.contentDesc;
    await ui.tapUntil({ ...node, bounds: { ...node.bounds, x1: x, x2: x } }, `${what} ${percent}`, {
      check: (sc) => {
        const now = sc.find(slider)?.contentDesc;
        return now !== undefined && (now !== before || now.endsWith(` ${percent}`)) ? true : undefined;
      },
      unchanged: `${what} did not change`,
    });
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
        settled = await typeInto(ctx, session, on, sel("post", "title"), input.title, "the title", {
          suggestions,
          first: fresh(),
          place: "post.title",
        });
      }
      if (input.caption) {
        settled = await typeInto(ctx, session, on, field, input.caption, "the caption", {
          suggestions,
          first: fresh(),
          ...(app === "tiktok" ? { place: "post.description" } : {}),
        });
      }
    });
  }

  async function applyPostOptions(): Promise<void> {
    if (app === "tiktok" && input.settings.add_product_link === 1) {
      settled = undefined; // the link sheet's taps change the screen
      await ctx.step("add a product link", async () => {
        const products = sel("post", "productLink");
        const { node } = await ui.onPage(page("post"), '"Add link"', sel("post", "addLink"));
        const row = await ui.tapUntil(node, '"Add link"', {
          check: (sc) => sc.find(products),
          unchanged: "the link sheet did not open",
          retry: sel("post", "addLink"),
        });
        await ui.tapUntil(row, '"Products"', {
          check: (sc) => (sc.shows(page("post")) && !sc.has(products) ? true : undefined),
          unchanged: "the link sheet is still open",
        });
      });
    }
  }
}

/** The simulated watching screens the warm-up uses: TikTok's search Videos tab, Instagram's Reels viewer. */
import { afterEach, describe, expect, test } from "bun:test";
import { topicReels } from "../src/apps/instagram/view.ts";
import { topicVideos } from "../src/apps/tiktok/view.ts";
import { VirtualPhone } from "../src/index.ts";
import { center, dumpNodes } from "./ui-dump.ts";

type Node = Record<string, string>;
const phones: VirtualPhone[] = [];
afterEach(async () => {
  for (const p of phones.splice(0)) await p.stop();
});

/** A phone without popups, its shell, and one dump's nodes by resource-id (short) or any predicate. */
async function phoneWith(pkg: string) {
  const phone = await VirtualPhone.start({ popups: false });
  phones.push(phone);
  const sh = async (c: string) => (await phone.exec(c)).stdout;
  const nodes = async () => dumpNodes(await sh("uiautomator dump /dev/tty"));
  const byId = (short: string) => (n: Node) => n["resource-id"] === `${pkg}:id/${short}`;
  const tap = async (pred: (n: Node) => boolean) => {
    const n = (await nodes()).find(pred);
    if (!n) throw new Error("not on screen");
    const [x, y] = center(n.bounds as string);
    await sh(`input tap ${x} ${y}`);
  };
  const swipeUp = () => sh("input swipe 540 1600 540 600 300");
  await sh(`monkey -p ${pkg} -c android.intent.category.LAUNCHER 1`);
  return { phone, sh, nodes, byId, tap, swipeUp };
}

describe("TikTok search: the Videos tab", () => {
  test("lists the query's videos; one opens in a player that swipes through them, BACK returns", async () => {
    const { phone, sh, nodes, byId, tap, swipeUp } = await phoneWith("com.zhiliaoapp.musically");
    await tap((n) => n["content-desc"] === "Search");
    await sh("input text cats");
    await sh("input keyevent 66");
    await tap((n) => n.text === "Videos");
    const videos = topicVideos("cats");
    const cells = (await nodes()).filter(byId("sq1"));
    expect(cells.length).toBe(videos.length);
    expect((await nodes()).filter(byId("sq4")).map((n) => n.text)).toEqual(videos.map((v) => v.desc));
    await tap(byId("sq1"));
    expect(phone.apps.tiktok.screen).toBe("video");
    const caption = async () => (await nodes()).find(byId("desc"))?.text;
    expect(await caption()).toBe(videos[0]?.desc);
    await swipeUp();
    expect(await caption()).toBe(videos[1]?.desc);
    // the player's Like is the second video's
    await tap(byId("f57"));
    expect(phone.apps.tiktok.actions.at(-1)).toMatchObject({
      type: "like",
      target: `@${videos[1]?.author}/video/${videos[1]?.id}`,
    });
    await sh("input keyevent 4");
    expect(phone.apps.tiktok.screen).toBe("search");
  });
});

describe("Instagram Reels viewer", () => {
  test("the Reels tab: caption, like, follow, More → Save, comments, swipe to the next reel", async () => {
    const { phone, sh, nodes, byId, tap, swipeUp } = await phoneWith("com.instagram.android");
    const app = phone.apps.instagram;
    await tap(byId("clips_tab"));
    expect(app.screen).toBe("reels");
    const first = app.currentReel();
    expect((await nodes()).some((n) => n["content-desc"] === first.caption)).toBe(true);
    await tap(byId("like_button"));
    expect((await nodes()).find(byId("like_button"))).toMatchObject({
      "content-desc": "Unlike",
      selected: "true",
    });
    await tap(byId("inline_follow_button"));
    expect((await nodes()).find(byId("inline_follow_button"))).toBeUndefined();
    await tap(byId("clips_ufi_more_button_component"));
    await tap((n) => n.text === "Save");
    expect((await nodes()).some((n) => n.text === "Save")).toBe(false);
    await tap(byId("comment_button"));
    await tap(byId("layout_comment_thread_edittext"));
    await sh("input text nice");
    await tap(byId("layout_comment_thread_post_button_click_area"));
    await sh("input keyevent 4");
    expect(app.screen).toBe("reels");
    const key = `reel/${first.code}`;
    expect(app.actions.map((a) => [a.type, a.target, a.text])).toEqual([
      ["like", key, undefined],
      ["follow", first.author, undefined],
      ["favorite", key, undefined],
      ["comment", key, "nice"],
    ]);
    await swipeUp();
    expect(app.currentReel().code).not.toBe(first.code);
  });

  test("search: ENTER shows the query's reels; one opens the viewer on it", async () => {
    const { phone, sh, nodes, byId, tap } = await phoneWith("com.instagram.android");
    await tap(byId("search_tab"));
    await sh("input text yoga");
    await sh("input keyevent 66");
    const reels = topicReels("yoga");
    const cells = (await nodes()).filter(byId("grid_card_layout_container"));
    expect(cells.map((n) => n["content-desc"])).toEqual(reels.map((r) => `Reel by ${r.author}`));
    await tap(byId("grid_card_layout_container"));
    expect(phone.apps.instagram.screen).toBe("reels");
    expect(phone.apps.instagram.currentReel()).toEqual(reels[0] as never);
    expect(phone.apps.instagram.actions.map((a) => [a.type, a.target])).toEqual([["search", "yoga"]]);
  });
});

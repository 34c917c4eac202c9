/**
 * Instagram's Reels viewer (ids, texts and places of instagram_reels_viewer_sharing_720x1440.xml) with its
 * "More" sheet, and a search's results grid of reels.
 */
import type { NodeSpec } from "../ui.ts";
import { type InstagramView, reelKey, tabBar, topicReels } from "./view.ts";

export function reelsViewer(app: InstagramView): NodeSpec[] {
  const r = app.currentReel();
  const key = reelKey(r);
  const liked = app.liked.has(key);
  const mine = app.commentsByPost.get(key)?.length ?? 0;
  const nodes: NodeSpec[] = [
    {
      c: "ViewPager",
      id: "clips_viewer_view_pager",
      b: [0, 48, 720, 1362],
      scrollable: true,
      children: [
        {
          c: "ViewGroup",
          id: "clips_media_component",
          desc: `Reel by ${r.author}`,
          b: [0, 48, 720, 1362],
          children: [
            {
              c: "FrameLayout",
              id: "clips_video_container",
              desc: `Reel by ${r.author}. Double tap to play or pause.`,
              b: [0, 48, 720, 1362],
              tap: "noop",
            },
            {
              c: "ViewGroup",
              id: "clips_author_info_component",
              b: [26, 1206, 288, 1293],
              children: [
                {
                  c: "ImageView",
                  id: "clips_author_profile_pic",
                  desc: `Profile picture of ${r.author}`,
                  b: [26, 1228, 85, 1287],
                  tap: `profile:${r.author}`,
                },
                {
                  c: "Button",
                  id: "clips_author_username",
                  text: r.author,
                  desc: r.author,
                  b: [85, 1243, 288, 1273],
                  tap: `profile:${r.author}`,
                },
              ],
            },
            ...(app.following.has(r.author)
              ? []
              : [
                  {
                    c: "Button",
                    id: "inline_follow_button",
                    text: "Follow",
                    desc: `Follow ${r.author}`,
                    b: [298, 1235, 410, 1283],
                    tap: `follow:${r.author}`,
                  } as NodeSpec,
                ]),
            {
              c: "ViewGroup",
              id: "clips_caption_component",
              b: [26, 1293, 635, 1339],
              children: [{ c: "ViewGroup", desc: r.caption, b: [26, 1300, 635, 1339], tap: "noop" }],
            },
            {
              c: "ImageView",
              id: "like_button",
              desc: liked ? "Unlike" : "Like",
              b: [635, 758, 707, 830],
              tap: "reelLike",
              selected: liked,
            },
            {
              c: "Button",
              id: "like_count",
              text: `Like number is${r.likes + (liked ? 1 : 0)}. View likes`,
              b: [635, 830, 707, 869],
              tap: "noop",
            },
            {
              c: "ImageView",
              id: "comment_button",
              desc: "Comment",
              b: [635, 869, 707, 941],
              tap: "reelComments",
            },
            {
              c: "Button",
              id: "comment_count",
              text: `Comment number is${r.comments + mine}. View comments`,
              b: [635, 941, 707, 980],
              tap: "reelComments",
            },
            {
              c: "ImageView",
              id: "direct_share_button",
              desc: "Share",
              b: [635, 1091, 707, 1163],
              tap: "noop",
            },
            {
              c: "ImageView",
              id: "clips_ufi_more_button_component",
              desc: "More",
              b: [635, 1202, 707, 1274],
              tap: "reelMore",
            },
          ],
        },
      ],
    },
    ...tabBar("reels"),
  ];
  if (app.reelMore) nodes.push(moreSheet(app.savedReels.has(key)));
  return nodes;
}

/** The "More" sheet of a reel: Save (Unsave once saved), and rows the flows never use. */
function moreSheet(saved: boolean): NodeSpec {
  const row = (text: string, y: number, tap: string): NodeSpec => ({
    c: "Button",
    text,
    desc: text,
    b: [0, y, 720, y + 90],
    tap,
  });
  return {
    c: "FrameLayout",
    id: "layout_container_bottom_sheet",
    b: [0, 900, 720, 1440],
    clickable: true,
    children: [
      { c: "View", id: "bottom_sheet_drag_handle_frame", b: [300, 910, 420, 940] },
      row(saved ? "Unsave" : "Save", 960, "reelSave"),
      row("Remix", 1060, "noop"),
      row("Not interested", 1160, "noop"),
      row("Report", 1260, "noop"),
    ],
  };
}

/** A search's results: a grid of the query's reels (`grid_card_layout_container`, desc "Reel by NAME"). */
export function searchResults(app: InstagramView): NodeSpec[] {
  const cells: NodeSpec[] = topicReels(app.searchQuery).map((r, i) => {
    const x = (i % 2) * 360;
    const y = 140 + Math.floor(i / 2) * 480;
    return {
      c: "FrameLayout",
      id: "grid_card_layout_container",
      desc: `Reel by ${r.author}`,
      b: [x + 2, y, x + 358, y + 476],
      tap: `openReel:${i}`,
    };
  });
  return [
    {
      c: "EditText",
      id: "action_bar_search_edit_text",
      field: "search",
      hint: "Search",
      b: [26, 50, 694, 120],
    },
    { c: "RecyclerView", id: "recycler_view", b: [0, 140, 720, 1362], scrollable: true, children: cells },
    ...tabBar("search"),
  ];
}

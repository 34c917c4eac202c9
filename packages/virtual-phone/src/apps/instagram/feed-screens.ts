/** Instagram's browsing screens: home feed (with the upload snackbar), a profile, a post and its comments, search. */
import { isUnknownUser } from "../app.ts";
import type { NodeSpec } from "../ui.ts";
import { type InstagramView, SHARING, tabBar } from "./view.ts";

export function userPage(app: InstagramView): NodeSpec[] {
  const u = app.profileUser;
  const f = app.following.has(u);
  const cells: NodeSpec[] = [0, 1, 2, 3, 4, 5].map((i) => {
    const x = (i % 3) * 240;
    const y = 700 + Math.floor(i / 3) * 240;
    return {
      c: "ImageView",
      id: "image_button",
      desc: `Photo by ${u} at Row 1, Column ${(i % 3) + 1}`,
      b: [x, y, x + 238, y + 238],
      tap: `openPost:${i}`,
    };
  });
  return [
    profileBar(u),
    {
      c: "ImageView",
      id: "row_profile_header_imageview",
      desc: `${u}'s profile picture`,
      b: [26, 150, 186, 310],
    },
    { c: "TextView", id: "row_profile_header_textview_post_count", text: "42", b: [240, 180, 360, 220] },
    {
      c: "TextView",
      id: "row_profile_header_textview_followers_count",
      text: f ? "1,235" : "1,234",
      b: [380, 180, 520, 220],
    },
    {
      c: "TextView",
      id: "row_profile_header_textview_following_count",
      text: "310",
      b: [540, 180, 680, 220],
    },
    { c: "TextView", id: "profile_header_full_name", text: u, b: [26, 330, 500, 370] },
    f
      ? {
          c: "Button",
          id: "profile_header_follow_button",
          text: "Following",
          b: [26, 420, 350, 490],
          tap: "following",
        }
      : {
          c: "Button",
          id: "profile_header_follow_button",
          text: "Follow",
          b: [26, 420, 350, 490],
          tap: `follow:${u}`,
        },
    {
      c: "Button",
      id: "profile_header_message_button",
      text: "Message",
      b: [370, 420, 694, 490],
      tap: "noop",
    },
    {
      c: "RecyclerView",
      id: "profile_tab_layout",
      b: [0, 700, 720, 1362],
      scrollable: true,
      children: cells,
    },
    ...tabBar("profile"),
  ];
}

/** The profile of a user that does not exist (link or name that Instagram cannot find). */
export function userNotFoundPage(): NodeSpec[] {
  return [
    profileBar(),
    { c: "TextView", text: "User not found", b: [26, 600, 694, 650] },
    ...tabBar("profile"),
  ];
}

/** A profile's action bar: Back, and the username when there is a user. */
function profileBar(user?: string): NodeSpec {
  return {
    c: "LinearLayout",
    id: "action_bar",
    b: [0, 39, 720, 130],
    children: [
      { c: "ImageView", id: "action_bar_button_back", desc: "Back", b: [0, 39, 91, 130], tap: "back" },
      ...(user === undefined
        ? []
        : [{ c: "TextView", id: "action_bar_title", text: user, b: [117, 65, 500, 104] } as NodeSpec]),
    ],
  };
}

export function postView(app: InstagramView): NodeSpec[] {
  const { key, author, caption } = app.postRef;
  const liked = app.liked.has(key);
  const n = app.commentsByPost.get(key)?.length ?? 0;
  return [
    {
      c: "LinearLayout",
      id: "action_bar",
      b: [0, 39, 720, 130],
      children: [
        { c: "ImageView", id: "action_bar_button_back", desc: "Back", b: [0, 39, 91, 130], tap: "back" },
        {
          c: "TextView",
          id: "action_bar_title",
          text: key.startsWith("reel") ? "Reels" : "Posts",
          b: [117, 65, 400, 104],
        },
      ],
    },
    {
      c: "TextView",
      id: "row_feed_photo_profile_name",
      text: author,
      b: [90, 150, 400, 190],
      tap: `profile:${author}`,
    },
    { c: "FrameLayout", id: "row_feed_media", desc: `Photo by ${author}`, b: [0, 210, 720, 930] },
    {
      c: "ImageView",
      id: "row_feed_button_like",
      desc: liked ? "Unlike" : "Like",
      b: [10, 940, 80, 1010],
      tap: "like",
      selected: liked,
    },
    {
      c: "ImageView",
      id: "row_feed_button_comment",
      desc: "Comment",
      b: [90, 940, 160, 1010],
      tap: "comments",
    },
    {
      c: "ImageView",
      id: "row_feed_button_share",
      desc: "Send post",
      b: [170, 940, 240, 1010],
      tap: "noop",
    },
    {
      c: "TextView",
      id: "row_feed_textview_likes",
      text: `${1000 + (liked ? 1 : 0)} likes`,
      b: [20, 1020, 400, 1060],
    },
    ...(caption !== undefined
      ? [
          {
            c: "TextView",
            id: "row_feed_comment_textview_layout",
            text: `${author} ${caption}`,
            b: [20, 1070, 700, 1110],
          } as NodeSpec,
        ]
      : []),
    ...(n
      ? [
          {
            c: "TextView",
            id: "row_feed_view_all_comments_text",
            text: `View all ${n} comments`,
            b: [20, 1120, 500, 1160],
            tap: "comments",
          } as NodeSpec,
        ]
      : []),
    ...tabBar("home"),
  ];
}

export function commentsPage(app: InstagramView): NodeSpec[] {
  const mine = app.commentsByPost.get(app.postRef.key) ?? [];
  const hasText = (app.fields.comment ?? "").length > 0;
  return [
    {
      c: "LinearLayout",
      id: "action_bar",
      b: [0, 39, 720, 130],
      children: [
        { c: "ImageView", id: "action_bar_button_back", desc: "Back", b: [0, 39, 91, 130], tap: "back" },
        { c: "TextView", id: "action_bar_title", text: "Comments", b: [117, 65, 400, 104] },
      ],
    },
    {
      c: "RecyclerView",
      id: "sticky_header_list",
      b: [0, 130, 720, 1250],
      scrollable: true,
      children: mine.map(
        (t, i): NodeSpec => ({
          c: "TextView",
          id: "row_comment_textview_comment",
          text: t,
          b: [90, 150 + i * 120, 700, 250 + i * 120],
        }),
      ),
    },
    {
      c: "AutoCompleteTextView",
      id: "layout_comment_thread_edittext",
      field: "comment",
      hint: `Add a comment for ${app.postRef.author}…`,
      b: [90, 1270, 600, 1350],
    },
    {
      c: "FrameLayout",
      id: "layout_comment_thread_post_button_click_area",
      b: [600, 1270, 720, 1350],
      enabled: hasText,
      tap: "postComment",
      children: [
        {
          c: "TextView",
          id: "layout_comment_thread_post_button",
          text: "Post",
          b: [620, 1290, 700, 1330],
          enabled: hasText,
        },
      ],
    },
  ];
}

export function searchPage(app: InstagramView): NodeSpec[] {
  const q = (app.fields.search ?? "").trim().replace(/^@/, "");
  const results = q ? [q, `${q}.official`, `${q}_fans`].filter((u) => !isUnknownUser(u)) : [];
  return [
    {
      c: "EditText",
      id: "action_bar_search_edit_text",
      field: "search",
      hint: "Search",
      b: [26, 50, 694, 120],
    },
    {
      c: "RecyclerView",
      id: "recycler_view",
      b: [0, 140, 720, 1362],
      scrollable: true,
      children: results.map(
        (u, i): NodeSpec => ({
          c: "LinearLayout",
          id: "row_search_user_container",
          b: [0, 150 + i * 130, 720, 270 + i * 130],
          tap: `profile:${u}`,
          children: [
            {
              c: "TextView",
              id: "row_search_user_username",
              text: u,
              b: [120, 170 + i * 130, 600, 210 + i * 130],
            },
            {
              c: "TextView",
              id: "row_search_user_fullname",
              text: u.replace(/[._]/g, " "),
              b: [120, 215 + i * 130, 600, 250 + i * 130],
            },
          ],
        }),
      ),
    },
    ...(q && results.length === 0
      ? [{ c: "TextView", text: "No results found.", b: [26, 200, 694, 250] } as NodeSpec]
      : []),
    ...tabBar("search"),
  ];
}

/**
 * The stories tray (`reels_tray_container`): the own item first, "Your story" with the badge "Add to story"
 * while there is none, a story to watch (desc "Your story, 1 of 1, Unseen.") once one is up; then others'.
 */
function storiesTray(app: InstagramView): NodeSpec {
  const own = app.hasStory();
  const item = (x: number, name: string, descr: string, tap: string, badge: boolean): NodeSpec => ({
    c: "LinearLayout",
    desc: descr,
    b: [x, 140, x + 140, 300],
    tap,
    children: [
      { c: "ImageView", id: "avatar_image_view", b: [x + 20, 145, x + 120, 245] },
      ...(badge
        ? [
            {
              c: "ImageView",
              id: "reel_empty_badge",
              desc: "Add to story",
              b: [x + 85, 210, x + 120, 245],
            } as NodeSpec,
          ]
        : []),
      { c: "TextView", id: "username", text: name, b: [x, 255, x + 140, 295] },
    ],
  });
  return {
    c: "RecyclerView",
    id: "reels_tray_container",
    b: [0, 130, 720, 305],
    scrollable: true,
    children: [
      own
        ? item(10, "Your story", "Your story, 1 of 1, Unseen.", "openOwnStory", false)
        : item(10, "Your story", "Your story", "noop", true),
      item(160, "natgeo", "natgeo's story, 1 of 3, Unseen.", "noop", false),
    ],
  };
}

/** The own story being watched (from the tray): the viewer with the account's name and the story's age. */
export function storyViewer(app: InstagramView): NodeSpec[] {
  return [
    {
      c: "FrameLayout",
      id: "reel_viewer_media_container",
      b: [0, 0, 720, 1440],
      children: [
        { c: "TextView", id: "reel_viewer_title", text: app.account ?? "", b: [90, 60, 400, 100] },
        { c: "TextView", id: "reel_viewer_timestamp", text: "1m", b: [410, 60, 480, 100] },
        { c: "ImageView", desc: "Close", b: [640, 50, 700, 110], tap: "back" },
      ],
    },
  ];
}

/** The home feed's row of an upload (`row_pending_container`): its thumbnail, then what it says. */
function pendingRow(content: NodeSpec[]): NodeSpec {
  return {
    c: "LinearLayout",
    id: "row_pending_container",
    b: [0, 130, 720, 230],
    children: [{ c: "ImageView", id: "row_pending_media_imageview", b: [20, 140, 100, 220] }, ...content],
  };
}

export function home(app: InstagramView): NodeSpec[] {
  const nodes: NodeSpec[] = [
    {
      c: "FrameLayout",
      id: "action_bar_container",
      b: [0, 39, 720, 130],
      children: [
        { c: "ImageView", id: "title_logo", desc: "Instagram", b: [26, 55, 200, 115] },
        {
          c: "ImageView",
          id: "action_bar_inbox_button",
          desc: "Messenger",
          b: [640, 55, 700, 115],
          tap: "noop",
        },
      ],
    },
    {
      c: "RecyclerView",
      id: "list",
      b: [0, 130, 720, 1362],
      scrollable: true,
      children: [
        storiesTray(app),
        {
          c: "TextView",
          id: "row_feed_photo_profile_name",
          text: "natgeo",
          b: [90, 320, 400, 360],
          tap: "noop",
        },
        { c: "FrameLayout", id: "row_feed_media", desc: "Photo by natgeo", b: [0, 380, 720, 1100] },
        { c: "ImageView", id: "row_feed_button_like", desc: "Like", b: [10, 1110, 80, 1180], tap: "noop" },
        {
          c: "ImageView",
          id: "row_feed_button_comment",
          desc: "Comment",
          b: [90, 1110, 160, 1180],
          tap: "noop",
        },
      ],
    },
  ];
  if (app.screen === "shared" && app.successText === "transient" && app.dest !== "story") {
    // the pending row's last state (instagram_home_feed_posted_send): then the row simply goes
    nodes.push(
      pendingRow([
        {
          c: "TextView",
          id: "row_pending_media_status_textview",
          text: "Posted! Nicely done.",
          b: [120, 150, 520, 185],
        },
        { c: "TextView", text: "Want to send it to friends?", b: [120, 188, 520, 220] },
        {
          c: "Button",
          id: "row_pending_media_reshare_button",
          text: "Send",
          b: [560, 150, 700, 210],
          tap: "noop",
        },
      ]),
    );
  }
  if (app.screen === "sharing" || (app.screen === "shared" && app.successText === "shown")) {
    nodes.push({
      c: "FrameLayout",
      id: "upload_snackbar_container",
      b: [0, 130, 720, 230],
      children: [
        { c: "ImageView", id: "thumbnail", b: [20, 140, 100, 220] },
        {
          c: "TextView",
          id: "status_text",
          text:
            app.screen === "sharing" ? SHARING[app.pending?.dest ?? app.dest] : "Your reel has been shared.",
          b: [120, 160, 640, 200],
        },
        ...(app.screen === "sharing"
          ? [{ c: "ProgressBar", id: "row_pending_media_progress_bar", b: [120, 208, 640, 216] } as NodeSpec]
          : []),
      ],
    });
  }
  if (app.screen === "shareFailed") {
    // the pending row of a failed upload (ids as in the feed's row_pending_container)
    nodes.push(
      pendingRow([
        {
          c: "TextView",
          id: "row_pending_media_sub_status_textview",
          text: "Video can't be posted",
          b: [120, 160, 520, 200],
        },
        {
          c: "ImageView",
          id: "row_pending_media_discard_button",
          desc: "Discard",
          b: [560, 150, 640, 210],
          tap: "discardPending",
        },
      ]),
    );
  }
  nodes.push(...tabBar("home"));
  return nodes;
}

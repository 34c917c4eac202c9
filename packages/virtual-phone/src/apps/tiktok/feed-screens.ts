/** TikTok's watching screens: the feed and a linked video (with the comment sheet), a profile, search. */
import type { NodeSpec } from "../ui.ts";
import { nav, type TikTokView, topicVideos, type Video, videoKey } from "./view.ts";

export function home(app: TikTokView): NodeSpec[] {
  return videoPage(app, app.currentVideo(), true);
}

/** A full-screen video: the feed (with the bottom bar) or a video opened from a link. */
export function videoPage(app: TikTokView, v: Video, feed: boolean): NodeSpec[] {
  const key = videoKey(v);
  const liked = app.liked.has(key);
  const likes = v.likes + (liked ? 1 : 0);
  const extra = app.commentsByVideo.get(key) ?? [];
  const comments = v.comments + extra.length;
  const bottom = feed ? 2200 : 2337;
  const nodes: NodeSpec[] = [
    {
      c: "ViewPager",
      id: "nx4",
      b: [0, 0, 1080, bottom],
      scrollable: true,
      children: [
        {
          c: "View",
          id: "long_press_layout",
          desc: "Video",
          b: [0, 0, 1080, bottom],
          clickable: true,
          longClickable: true,
        },
        ...(feed
          ? [
              {
                c: "TextView",
                id: "t0b",
                text: "Following",
                b: [290, 130, 520, 220],
                tap: "noop",
              } as NodeSpec,
              {
                c: "TextView",
                id: "t0c",
                text: "For You",
                b: [560, 130, 790, 220],
                selected: true,
                tap: "noop",
              } as NodeSpec,
              {
                c: "ImageView",
                id: "gxd",
                desc: "Search",
                b: [950, 130, 1050, 230],
                tap: "search",
              } as NodeSpec,
            ]
          : [{ c: "ImageView", id: "b98", desc: "Back", b: [16, 136, 131, 252], tap: "back" } as NodeSpec]),
        {
          c: "ImageView",
          id: "zt2",
          desc: `${v.author} profile`,
          b: [950, 1000, 1060, 1110],
          tap: `profile:${v.author}`,
        },
        ...(app.following.has(v.author)
          ? []
          : [
              {
                c: "Button",
                id: "hi1",
                desc: `Follow ${v.author}`,
                b: [975, 1080, 1035, 1140],
                tap: `follow:${v.author}`,
              } as NodeSpec,
            ]),
        {
          c: "Button",
          id: "f57",
          desc: `Like video. ${likes} likes`,
          b: [950, 1180, 1060, 1330],
          tap: "like",
          selected: liked,
        },
        {
          c: "Button",
          id: "dtv",
          desc: `Read or add comments. ${comments} comments`,
          b: [950, 1350, 1060, 1500],
          tap: "comments",
        },
        {
          c: "Button",
          id: "guh",
          desc: "Add or remove this video from Favorites.",
          b: [950, 1520, 1060, 1670],
          tap: "favorite",
          selected: app.favorites.has(key),
        },
        { c: "Button", id: "ra1", desc: "Share video", b: [950, 1690, 1060, 1840], tap: "noop" },
        {
          c: "TextView",
          id: "title",
          text: `@${v.author}`,
          b: [32, 1900, 600, 1960],
          tap: `profile:${v.author}`,
        },
        { c: "TextView", id: "desc", text: v.desc, b: [32, 1970, 900, 2080] },
      ],
    },
  ];
  if (app.screen === "posting") {
    const pct = Math.min(99, Math.floor((app.uploadedFor() / app.uploadMs) * 100));
    nodes.push({
      c: "LinearLayout",
      id: "su4",
      b: [32, 260, 420, 420],
      children: [
        { c: "TextView", id: "su6", text: "Posting...", b: [60, 280, 300, 340] },
        { c: "TextView", id: "su5", text: `${pct}%`, b: [60, 345, 200, 400] },
      ],
    });
  }
  if (app.screen === "uploadFailed") {
    nodes.push({
      c: "LinearLayout",
      id: "su4",
      b: [32, 260, 700, 420],
      children: [
        { c: "TextView", id: "su6", text: "Couldn't upload video", b: [60, 280, 600, 340] },
        { c: "TextView", id: "su7", text: "Tap to retry", b: [60, 345, 400, 400], tap: "noop" },
      ],
    });
  }
  // otherwise "Video posted!" is a toast, which no dump shows
  if (app.screen === "posted" && app.successText === "shown") {
    nodes.push({ c: "TextView", id: "tqh", text: "Video posted!", b: [290, 1100, 790, 1200] });
  }
  if (feed) nodes.push(...nav("home"));
  if (app.commentsOpen) nodes.push(commentSheet(app, comments, extra));
  return nodes;
}

export function commentSheet(app: TikTokView, count: number, mine: string[]): NodeSpec {
  const shown = [...mine].reverse().slice(0, 5);
  const canSend = (app.fields.comment ?? "").length > 0 || app.commentImage !== null;
  return {
    c: "FrameLayout",
    id: "dub",
    b: [0, 700, 1080, 2337],
    clickable: true,
    children: [
      // ids of the real 43.1.4 panel: header tmr, Close b9b, rows e58 with the text in e7j
      { c: "TextView", id: "tmr", text: `${count} comments`, b: [340, 730, 740, 800] },
      { c: "ImageView", id: "b9b", desc: "Close", b: [960, 720, 1050, 810], tap: "closeComments" },
      {
        c: "RecyclerView",
        id: "r_n",
        b: [0, 820, 1080, 2180],
        scrollable: true,
        children: shown.map(
          (t, i): NodeSpec => ({
            c: "ViewGroup",
            id: "e58",
            b: [0, 850 + i * 200, 1080, 1040 + i * 200],
            children: [{ c: "TextView", id: "e7j", text: t, b: [140, 850 + i * 200, 1000, 1000 + i * 200] }],
          }),
        ),
      },
      { c: "EditText", id: "dpl", field: "comment", hint: "Add comment...", b: [30, 2200, 790, 2310] },
      ...commentImageNodes(app),
      ...(canSend
        ? [
            {
              c: "ImageView",
              id: "dq6",
              desc: "Post comment",
              b: [930, 2200, 1050, 2310],
              tap: "sendComment",
            } as NodeSpec,
          ]
        : []),
      ...imagePicker(app),
    ],
  };
}

/**
 * The comment bar's image button (no real dump shows TikTok's: it is named plainly, "Add image") and the
 * attached image above the bar.
 */
function commentImageNodes(app: TikTokView): NodeSpec[] {
  const nodes: NodeSpec[] = [
    { c: "ImageView", desc: "Add image", b: [800, 2200, 910, 2310], tap: "commentImage" },
  ];
  if (app.commentImage) {
    nodes.push({
      c: "FrameLayout",
      b: [30, 2040, 230, 2190],
      children: [
        { c: "ImageView", desc: "Selected image", b: [30, 2040, 230, 2190] },
        { c: "ImageView", desc: "Remove image", b: [180, 2040, 230, 2090], tap: "removeImage" },
      ],
    });
  }
  return nodes;
}

/** The image button's picker: recent images (the media store's, newest first), "Confirm" once one is ticked. */
function imagePicker(app: TikTokView): NodeSpec[] {
  if (!app.imagePicker) return [];
  const cells = app
    .recentImages()
    .slice(0, 12)
    .map((m, i): NodeSpec => {
      const x = 5 + (i % 3) * 359;
      const y = 830 + Math.floor(i / 3) * 340;
      return {
        c: "FrameLayout",
        desc: `Image ${i + 1}`,
        b: [x, y, x + 354, y + 335],
        tap: `pickImage:${i}`,
        selected: app.pickerChoice?.id === m.id,
      };
    });
  return [
    {
      c: "FrameLayout",
      b: [0, 700, 1080, 2337],
      clickable: true,
      children: [
        { c: "TextView", text: "Recents", b: [60, 730, 500, 800] },
        { c: "ImageView", desc: "Close", b: [960, 720, 1050, 810], tap: "closePicker" },
        { c: "GridView", b: [0, 830, 1080, 2190], scrollable: true, children: cells },
        {
          c: "Button",
          text: "Confirm",
          b: [700, 2210, 1050, 2310],
          tap: "confirmImage",
          enabled: app.pickerChoice !== null,
        },
      ],
    },
  ];
}

export function userPage(app: TikTokView): NodeSpec[] {
  const u = app.profileUser;
  const following = app.following.has(u);
  const cells: NodeSpec[] = [0, 1, 2, 3, 4, 5].map((i) => {
    const x = (i % 3) * 360;
    const y = 1250 + Math.floor(i / 3) * 480;
    return {
      c: "FrameLayout",
      id: "cover",
      desc: `Video ${i + 1}`,
      b: [x, y, x + 358, y + 478],
      tap: `openUserVideo:${i}`,
    };
  });
  return [
    { c: "ImageView", id: "b98", desc: "Back", b: [16, 136, 131, 252], tap: "back" },
    { c: "TextView", id: "qh4", text: u, b: [300, 150, 780, 240] },
    { c: "ImageView", id: "avatar", desc: `${u} profile photo`, b: [420, 300, 660, 540] },
    { c: "TextView", id: "qh5", text: `@${u}`, b: [300, 560, 780, 630] },
    { c: "TextView", id: "qfw", text: "128", b: [200, 680, 400, 740] },
    { c: "TextView", id: "qfv", text: "Following", b: [200, 740, 400, 790] },
    { c: "TextView", id: "qfw", text: following ? "10.1K" : "10K", b: [440, 680, 640, 740] },
    { c: "TextView", id: "qfv", text: "Followers", b: [440, 740, 640, 790] },
    { c: "TextView", id: "qfw", text: "250K", b: [680, 680, 880, 740] },
    { c: "TextView", id: "qfv", text: "Likes", b: [680, 740, 880, 790] },
    following
      ? {
          c: "Button",
          id: "eme",
          text: "Following",
          desc: `Following ${u}`,
          b: [200, 850, 620, 970],
          tap: "following",
        }
      : {
          c: "Button",
          id: "eme",
          text: "Follow",
          desc: `Follow ${u}`,
          b: [200, 850, 880, 970],
          tap: `follow:${u}`,
        },
    ...(following
      ? [{ c: "Button", id: "e4g", text: "Message", b: [640, 850, 880, 970], tap: "noop" } as NodeSpec]
      : []),
    { c: "GridView", id: "gxv", b: [0, 1250, 1080, 2337], scrollable: true, children: cells },
  ];
}

/** The profile of a user that does not exist (link or name that TikTok cannot find). */
export function userNotFoundPage(): NodeSpec[] {
  return [
    { c: "ImageView", id: "b98", desc: "Back", b: [16, 136, 131, 252], tap: "back" },
    { c: "TextView", id: "title", text: "Couldn't find this account", b: [140, 900, 940, 980] },
    {
      c: "TextView",
      id: "desc",
      text: "Looking for videos? Try browsing our trending creators, hashtags, and sounds.",
      b: [140, 1000, 940, 1120],
    },
  ];
}

/** A sound's page (from search): its name and "Use this sound". */
export function soundPage(app: TikTokView): NodeSpec[] {
  return [
    { c: "ImageView", id: "b98", desc: "Back", b: [16, 136, 131, 252], tap: "back" },
    { c: "TextView", id: "mus_title", text: app.soundPageName, b: [300, 300, 1048, 380] },
    { c: "TextView", id: "mus_videos", text: "12.4K videos", b: [300, 390, 700, 440] },
    { c: "Button", id: "mus_use", text: "Use this sound", b: [240, 2150, 840, 2280], tap: "useSound" },
  ];
}

function soundRows(app: TikTokView): NodeSpec[] {
  return app.searchResults.map((name, i) => ({
    c: "LinearLayout",
    id: "yhs",
    desc: `Sound: ${name}`,
    b: [0, 400 + i * 200, 1080, 590 + i * 200],
    tap: `soundPage:${i}`,
    children: [
      { c: "TextView", id: "yht", text: name, b: [200, 430 + i * 200, 900, 490 + i * 200] },
      { c: "TextView", id: "yhu", text: "original sound", b: [200, 500 + i * 200, 760, 550 + i * 200] },
    ],
  }));
}

/** TikTok ranks accounts by popularity, not by how exactly they match: here the exact name comes last. */
function usersByRank(names: readonly string[]): string[] {
  return [...names].sort((a, b) => b.length - a.length);
}

/** The Videos tab's grid (ids of 43.1.4: cells `sq1` with a `cover`), two columns. */
function videoCells(app: TikTokView): NodeSpec[] {
  return topicVideos(app.searchQuery).map((v, i) => {
    const x = (i % 2) * 540;
    const y = 400 + Math.floor(i / 2) * 640;
    return {
      c: "FrameLayout",
      id: "sq1",
      b: [x + 8, y, x + 532, y + 630],
      tap: `openSearchVideo:${i}`,
      children: [
        { c: "ImageView", id: "cover", b: [x + 8, y, x + 532, y + 520] },
        { c: "TextView", id: "sq4", text: v.desc, b: [x + 20, y + 530, x + 520, y + 620] },
      ],
    };
  });
}

export function searchPage(app: TikTokView): NodeSpec[] {
  const rows: NodeSpec[] =
    app.searchTab === "sounds"
      ? soundRows(app)
      : usersByRank(app.searchResults).map((u, i) => ({
          c: "LinearLayout",
          id: "yhb",
          b: [0, 400 + i * 200, 1080, 590 + i * 200],
          tap: `profile:${u}`,
          children: [
            { c: "ImageView", id: "avatar", b: [32, 420 + i * 200, 172, 560 + i * 200] },
            { c: "TextView", id: "yhc", text: u, b: [200, 430 + i * 200, 760, 490 + i * 200] },
            { c: "TextView", id: "ye2", text: `@${u}`, b: [200, 500 + i * 200, 760, 550 + i * 200] },
            app.following.has(u)
              ? {
                  c: "Button",
                  id: "yhe",
                  text: "Following",
                  b: [800, 450 + i * 200, 1048, 540 + i * 200],
                  tap: `profile:${u}`,
                }
              : {
                  c: "Button",
                  id: "yhe",
                  text: "Follow",
                  b: [800, 450 + i * 200, 1048, 540 + i * 200],
                  tap: `follow:${u}`,
                },
          ],
        }));
  const shown = app.searchTab === "videos" ? videoCells(app) : rows;
  return [
    { c: "ImageView", id: "b98", desc: "Back", b: [16, 136, 131, 252], tap: "back" },
    { c: "EditText", id: "ehd", field: "search", hint: "Search", b: [150, 150, 880, 240] },
    { c: "TextView", id: "s3b", text: "Search", b: [900, 150, 1060, 240], tap: "doSearch" },
    ...(app.searchQuery && rows.length === 0
      ? [{ c: "TextView", id: "nrf", text: "No results found", b: [140, 900, 940, 980] } as NodeSpec]
      : []),
    ...(shown.length
      ? [
          {
            c: "TextView",
            id: "tab_users",
            text: "Users",
            b: [32, 280, 250, 370],
            selected: app.searchTab === "users",
            tap: "searchTab:users",
          } as NodeSpec,
          {
            c: "TextView",
            id: "tab_videos",
            text: "Videos",
            b: [510, 280, 730, 370],
            selected: app.searchTab === "videos",
            tap: "searchTab:videos",
          } as NodeSpec,
          {
            c: "TextView",
            id: "tab_sounds",
            text: "Sounds",
            b: [270, 280, 490, 370],
            selected: app.searchTab === "sounds",
            tap: "searchTab:sounds",
          } as NodeSpec,
          {
            c: "RecyclerView",
            id: "yha",
            b: [0, 400, 1080, 2337],
            scrollable: true,
            children: shown,
          } as NodeSpec,
        ]
      : []),
  ];
}

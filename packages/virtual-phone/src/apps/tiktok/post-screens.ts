/** TikTok's posting screens: camera, gallery (select boxes, Next), editor, post (title, description, Post). */
import type { MediaEntry } from "../../media.ts";
import type { NodeSpec } from "../ui.ts";
import { RECOMMENDED_SOUNDS, type TikTokView } from "./view.ts";

export function camera(): NodeSpec[] {
  return [
    { c: "FrameLayout", id: "tty", b: [0, 0, 1080, 2337] },
    { c: "ImageView", id: "jix", desc: "Close", b: [32, 193, 148, 309], tap: "closeCamera" },
    {
      c: "LinearLayout",
      id: "d83",
      b: [372, 198, 707, 314],
      tap: "noop",
      children: [
        { c: "ImageView", id: "d88", desc: "Music", b: [414, 232, 456, 274] },
        { c: "TextView", id: "ycm", text: "Add sound", b: [456, 198, 686, 314] },
      ],
    },
    ...["Flip", "Flash", "Timer", "Layout", "Ratio", "Retouch"].map(
      (d, i): NodeSpec => ({
        c: "Button",
        desc: d,
        b: [933, 193 + i * 137, 1080, 330 + i * 137],
        tap: "noop",
      }),
    ),
    ...["10m", "60s", "15s", "PHOTO", "TEXT"].map(
      (t, i): NodeSpec => ({
        c: "TextView",
        id: "v5w",
        text: t,
        b: [46 + i * 150, 1655, 188 + i * 150, 1742],
      }),
    ),
    { c: "Button", id: "r3r", desc: "Record video", b: [395, 1752, 684, 2041], tap: "noop" },
    {
      c: "FrameLayout",
      id: "ymg",
      b: [0, 2081, 210, 2239],
      tap: "openGallery",
      children: [{ c: "ImageView", id: "kwk", b: [53, 2121, 158, 2226] }],
    },
    { c: "TextView", id: "v5w", text: "POST", b: [457, 2115, 623, 2233] },
    { c: "TextView", id: "v5w", text: "CREATE", b: [623, 2115, 830, 2233] },
  ];
}

export function gallery(app: TikTokView): NodeSpec[] {
  const items = app.visibleMedia();
  const cells: NodeSpec[] = [];
  for (let i = 0; i < items.length; i++) {
    const row = Math.floor(i / 3);
    const col = i % 3;
    const x = 5 + col * 359;
    const y = 385 + row * 362;
    if (y >= 2137) break;
    const y2 = Math.min(2137, y + 357);
    const m = items[i] as MediaEntry;
    const order = app.selected.findIndex((s) => s.id === m.id);
    cells.push({
      c: "FrameLayout",
      b: [x, y, x + 354, y2],
      tap: `tick:${i}`,
      children: [
        { c: "ImageView", id: "mub", b: [x, y, x + 354, y2] },
        ...(m.kind === "video"
          ? [
              {
                c: "TextView",
                id: "dui",
                text: "00:15",
                b: [x + 250, y2 - 60, x + 340, y2 - 10],
              } as NodeSpec,
            ]
          : []),
        {
          c: "FrameLayout",
          id: "h9t",
          b: [x + 238, y, x + 354, Math.min(y2, y + 116)],
          tap: `tick:${i}`,
          children: [
            {
              c: "Button",
              id: "jh7",
              text: order >= 0 ? String(order + 1) : "",
              b: [x + 275, y + 16, x + 338, Math.min(y2, y + 79)],
              tap: `tick:${i}`,
              selected: order >= 0,
            },
          ],
        },
      ],
    });
  }
  const tabs: [string, string][] = [
    ["All", "all"],
    ["Videos", "videos"],
    ["Photos", "photos"],
  ];
  const hasSel = app.selected.length > 0;
  return [
    {
      c: "FrameLayout",
      id: "e1x",
      b: [0, 136, 1080, 2337],
      clickable: true,
      children: [
        { c: "ImageView", id: "b9b", desc: "Close", b: [42, 167, 105, 230], tap: "closeGallery" },
        {
          c: "LinearLayout",
          id: "d2t",
          b: [403, 151, 676, 246],
          tap: "noop",
          children: [
            { c: "TextView", id: "yc0", text: "Recents", b: [445, 173, 586, 223] },
            { c: "ImageView", id: "kun", desc: "Down", b: [602, 177, 644, 219] },
          ],
        },
        {
          c: "HorizontalScrollView",
          id: "mua",
          b: [0, 262, 1080, 380],
          children: tabs.map(
            ([label, key], i): NodeSpec => ({
              c: "FrameLayout",
              desc: label,
              b: [42 + i * 240, 262, 42 + (i + 1) * 240, 380],
              tap: `tab:${key}`,
              selected: app.galleryTab === key,
              children: [{ c: "TextView", text: label, b: [68 + i * 240, 262, 16 + (i + 1) * 240, 380] }],
            }),
          ),
        },
        {
          c: "ViewPager",
          id: "zpi",
          b: [0, 380, 1080, 2137],
          children: [
            { c: "GridView", id: "i8o", b: [0, 380, 1080, 2137], scrollable: true, children: cells },
          ],
        },
        {
          c: "LinearLayout",
          id: "nbr",
          b: [0, 2137, 1080, 2337],
          children: [
            {
              c: "RelativeLayout",
              id: "nbv",
              b: [32, 2137, 354, 2337],
              tap: "noop",
              children: [
                { c: "CheckBox", id: "nbk", b: [32, 2211, 95, 2274], checkable: true },
                { c: "TextView", id: "nbu", text: "Select multiple", b: [111, 2214, 354, 2261] },
              ],
            },
            {
              c: "Button",
              id: "uyb",
              text: "Next",
              b: [550, 2179, 1048, 2295],
              clickable: hasSel,
              ...(hasSel ? { tap: "galleryNext" } : {}),
            },
          ],
        },
      ],
    },
  ];
}

/** The editor's "Add sound" sheet: search, the recommendations or the search's results, Volume. */
function soundSheet(app: TikTokView): NodeSpec {
  const results = app.soundResults.length > 0;
  const names = results ? app.soundResults : RECOMMENDED_SOUNDS;
  return {
    c: "FrameLayout",
    id: "sound_panel",
    b: [0, 1100, 1080, 2400],
    clickable: true,
    children: [
      { c: "TextView", id: "sp1", text: "Sounds", b: [420, 1120, 660, 1200] },
      { c: "ImageView", id: "sp2", desc: "Close", b: [960, 1120, 1060, 1200], tap: "closeSounds" },
      app.focused === "soundSearch" || app.fields.soundSearch
        ? { c: "EditText", id: "sp3", field: "soundSearch", hint: "Search sounds", b: [32, 1220, 1048, 1320] }
        : { c: "ImageView", id: "sp3", desc: "Search", b: [32, 1220, 132, 1320], tap: "soundSearch" },
      {
        c: "RecyclerView",
        id: "sp4",
        b: [0, 1340, 1080, 2200],
        scrollable: true,
        children: names.map(
          (name, i): NodeSpec => ({
            c: "LinearLayout",
            id: "sp5",
            desc: results ? `Sound: ${name}` : `Recommended sound ${i + 1}: ${name}`,
            b: [0, 1340 + i * 160, 1080, 1490 + i * 160],
            tap: `pickSound:${i}`,
            selected: app.sound === name,
            children: [
              { c: "TextView", id: "sp6", text: name, b: [180, 1380 + i * 160, 900, 1450 + i * 160] },
            ],
          }),
        ),
      },
      { c: "TextView", id: "sp7", text: "Volume", b: [32, 2220, 300, 2320], tap: "volume" },
      { c: "TextView", id: "sp8", text: "Done", b: [850, 2220, 1048, 2320], tap: "closeSounds" },
    ],
  };
}

/** The sheet's Volume panel: a slider each for the video's own sound and the added one. */
function volumePanel(app: TikTokView): NodeSpec {
  const slider = (which: "original" | "added", label: string, y: number): NodeSpec => ({
    c: "SeekBar",
    id: "vp2",
    desc: `${label} volume ${app.volumes[which]}`,
    b: [100, y, 980, y + 80],
    tap: `setVolume:${which}={pct}`,
  });
  return {
    c: "FrameLayout",
    id: "vp1",
    b: [0, 1700, 1080, 2400],
    clickable: true,
    children: [
      { c: "TextView", id: "vp3", text: "Volume", b: [420, 1720, 660, 1800] },
      { c: "TextView", id: "vp4", text: "Original sound", b: [100, 1800, 600, 1850] },
      slider("original", "Original sound", 1850),
      { c: "TextView", id: "vp4", text: "Added sound", b: [100, 2000, 600, 2050] },
      slider("added", "Added sound", 2050),
      { c: "TextView", id: "vp5", text: "Done", b: [850, 2250, 1048, 2350], tap: "closeSounds" },
    ],
  };
}

export function editor(app: TikTokView): NodeSpec[] {
  const nodes: NodeSpec[] = [
    { c: "FrameLayout", id: "fjb", b: [0, 0, 1080, 2337] },
    { c: "ImageView", id: "b98", desc: "Back", b: [16, 136, 131, 252], tap: "editorBack" },
    {
      c: "LinearLayout",
      id: "d83",
      b: [372, 150, 707, 260],
      tap: "openSounds",
      children: [{ c: "TextView", id: "ycm", text: app.sound || "Add sound", b: [456, 160, 686, 250] }],
    },
    ...["Text", "Stickers", "Effects", "Filters", "Voice"].map(
      (t, i): NodeSpec => ({
        c: "TextView",
        id: "fpr",
        text: t,
        b: [900, 300 + i * 150, 1060, 420 + i * 150],
        tap: "noop",
      }),
    ),
    {
      c: "FrameLayout",
      id: "qxr",
      b: [32, 2179, 529, 2295],
      tap: "noop",
      children: [{ c: "TextView", id: "qxs", text: "Your Story", b: [150, 2210, 420, 2265] }],
    },
    {
      c: "FrameLayout",
      id: "ntn",
      b: [550, 2179, 1048, 2295],
      tap: "editorNext",
      children: [{ c: "TextView", id: "ntq", text: "Next", b: [740, 2210, 860, 2265] }],
    },
  ];
  if (app.soundSheet) nodes.push(app.volumePanel ? volumePanel(app) : soundSheet(app));
  return nodes;
}

/**
 * A TikTok release whose Post button is a FrameLayout "rz4" around a TextView (no id or Button the
 * built-in selectors know): the flow needs DATA_DIR/selectors/tiktok.json to find it.
 */
export const RENAMED_POST_VERSION = "44.9.0";

function postButton(app: TikTokView): NodeSpec {
  const b: [number, number, number, number] = [550, 2179, 1048, 2305];
  if (!app.version.startsWith(RENAMED_POST_VERSION)) {
    return { c: "Button", id: "qrb", text: "Post", b, tap: "post" };
  }
  return {
    c: "FrameLayout",
    id: "rz4",
    b,
    tap: "post",
    children: [{ c: "TextView", id: "rz5", text: "Post", b: [740, 2210, 860, 2275] }],
  };
}

export function postScreen(app: TikTokView): NodeSpec[] {
  return [
    { c: "Button", id: "b98", desc: "Back", b: [16, 136, 131, 252], tap: "postBack" },
    {
      c: "ScrollView",
      id: "qrf",
      b: [0, 253, 1080, 2147],
      scrollable: true,
      children: [
        { c: "ImageView", id: "ji6", b: [42, 274, 320, 552], tap: "noop" },
        { c: "TextView", id: "ji9", text: "Cover", b: [42, 274, 161, 332] },
        { c: "EditText", id: "g1c", field: "title", hint: "Add a catchy title", b: [42, 584, 1038, 637] },
        {
          c: "EditText",
          id: "g19",
          field: "caption",
          hint: "Writing a long description can help get 3x more views on average.",
          b: [42, 691, 1038, 1059],
        },
        { c: "Button", id: "awo", text: "# Hashtags", b: [42, 1080, 116, 1154], tap: "noop" },
        { c: "Button", id: "awn", text: "Mention", b: [137, 1080, 211, 1154], tap: "noop" },
        { c: "TextView", id: "w4m", text: "Location", b: [100, 1229, 250, 1279] },
        {
          c: "Button",
          id: "d0z",
          desc: app.productLink ? "Add link, Product added" : "Add link",
          b: [0, 1413, 1080, 1539],
          tap: "addLink",
        },
        {
          c: "Button",
          id: "d0z",
          desc: "Everyone can view this post",
          b: [0, 1539, 1080, 1665],
          tap: "noop",
        },
        {
          c: "Button",
          id: "d0z",
          desc: "More options, Privacy and more settings ",
          b: [0, 1665, 1080, 1832],
          tap: "noop",
        },
        { c: "TextView", id: "tbp", text: "Share to", b: [100, 1870, 244, 1920] },
      ],
    },
    {
      c: "LinearLayout",
      id: "fgc",
      b: [32, 2179, 1048, 2305],
      children: [
        { c: "Button", id: "fex", text: "Drafts", b: [32, 2179, 529, 2305], tap: "drafts" },
        postButton(app),
      ],
    },
    ...(app.linkSheet ? [linkSheet()] : []),
    ...hashtagList(app.hashtagSuggestions()),
  ];
}

/**
 * Suggestions for the hashtag being typed, over the lower screen (Post included) until one is picked or
 * BACK closes them. No real dump shows TikTok's, so its ids are named plainly.
 */
function hashtagList(tags: string[]): NodeSpec[] {
  if (tags.length === 0) return [];
  return [
    {
      c: "RecyclerView",
      id: "hashtag_suggestions",
      b: [0, 1070, 1080, 2337],
      clickable: true,
      children: tags.map((tag, i): NodeSpec => {
        const y = 1080 + i * 120;
        return {
          c: "LinearLayout",
          id: "hashtag_row",
          b: [0, y, 1080, y + 120],
          tap: `pickHashtag:${i}`,
          children: [
            { c: "TextView", id: "hashtag_name", text: tag, b: [42, y + 15, 700, y + 65] },
            {
              c: "TextView",
              id: "hashtag_views",
              text: `${(5 - i) * 3}.${i + 1}M views`,
              b: [42, y + 65, 700, y + 110],
            },
          ],
        };
      }),
    },
  ];
}

/** "Add link": what the link can point to. */
function linkSheet(): NodeSpec {
  return {
    c: "FrameLayout",
    id: "lk1",
    b: [0, 1600, 1080, 2400],
    clickable: true,
    children: [
      { c: "TextView", id: "lk2", text: "Add link", b: [400, 1630, 680, 1710] },
      { c: "TextView", id: "lk3", text: "Products", b: [32, 1760, 1048, 1880], tap: "productLink" },
      { c: "TextView", id: "lk3", text: "Mini Games", b: [32, 1900, 1048, 2020], tap: "noop" },
    ],
  };
}

/** Instagram's posting screens: gallery (destinations POST/STORY/REEL), editor, caption (Share). */
import type { MediaEntry } from "../../media.ts";
import type { NodeSpec } from "../ui.ts";
import { DEST_TITLE, type Dest, formatDate, type InstagramView } from "./view.ts";

export function gallery(app: InstagramView): NodeSpec[] {
  const items = app.items();
  const cells: NodeSpec[] = [{ c: "Button", desc: "Open camera", b: [3, 274, 239, 693], tap: "noop" }];
  for (let i = 0; i < items.length; i++) {
    const slot = i + 1;
    const row = Math.floor(slot / 3);
    const col = slot % 3;
    const x = 3 + col * 239;
    const y = 274 + row * 422;
    if (y >= 1277) break;
    const y2 = Math.min(1277, y + 419);
    const m = items[i] as MediaEntry;
    const what = m.kind === "video" ? "Video" : "Photo";
    cells.push(
      { c: "ImageView", id: "background_color", b: [x, y, x + 236, y2] },
      {
        c: "Button",
        id: "gallery_grid_item_thumbnail",
        desc: `Unselected ${what} thumbnail created on ${formatDate(m.dateModified)}`,
        b: [x, y, x + 236, y2],
        tap: `thumb:${i}`,
      },
    );
    if (m.kind === "video") {
      cells.push({
        c: "TextView",
        id: "gallery_grid_item_label",
        text: "0:15",
        b: [x + 178, y2 - 43, x + 223, y2 - 11],
      });
    }
  }
  const dests: [Dest, string, number, number][] = [
    ["feed", "POST", 303, 400],
    ["story", "STORY", 400, 513],
    ["clips", "REEL", 513, 607],
  ];
  return [
    {
      c: "ViewGroup",
      id: "gallery_root_container",
      b: [0, 0, 720, 1362],
      clickable: true,
      children: [
        {
          c: "Button",
          id: "gallery_cancel_button",
          desc: "Back to Home",
          b: [0, 7, 85, 92],
          tap: "cancel",
        },
        { c: "TextView", id: "gallery_title_text", text: DEST_TITLE[app.dest], b: [299, 31, 421, 68] },
        {
          c: "Button",
          id: "gallery_settings_gear",
          desc: "Camera settings",
          b: [635, 7, 720, 92],
          tap: "noop",
        },
        {
          c: "RecyclerView",
          id: "gallery_destination_bar",
          b: [0, 92, 720, 185],
          children: ["Edits", "Drafts", "Templates"].map(
            (t, i): NodeSpec => ({
              c: "ViewGroup",
              id: "gallery_destination_item",
              b: [23 + i * 180, 99, 180 + i * 180, 178],
              tap: "noop",
              children: [
                { c: "TextView", id: "button_name", text: t, b: [98 + i * 180, 122, 170 + i * 180, 155] },
              ],
            }),
          ),
        },
        {
          c: "TextView",
          id: "gallery_folder_menu_tv",
          text: "Album switcher, Recents, button, double tap to change album",
          b: [0, 209, 172, 246],
        },
        {
          c: "Button",
          id: "gallery_menu_multi_select_button",
          desc: "Select multiple, activate to select multiple photos in your gallery",
          b: [644, 203, 702, 261],
          tap: "noop",
        },
        {
          c: "GridView",
          id: "gallery_recycler_view",
          b: [0, 274, 720, 1277],
          scrollable: true,
          children: cells,
        },
      ],
    },
    {
      c: "FrameLayout",
      id: "multi_destination_scroll_view",
      b: [0, 1277, 720, 1440],
      children: dests.map(
        ([key, text, x1, x2]): NodeSpec => ({
          c: "TextView",
          id: `cam_dest_${key}`,
          text,
          desc: text,
          b: [x1, 1285, x2, 1340],
          tap: `dest:${key}`,
          selected: app.dest === key,
        }),
      ),
    },
  ];
}

export function edit(): NodeSpec[] {
  return [
    { c: "FrameLayout", id: "clips_editor_preview", b: [0, 0, 720, 1280] },
    {
      c: "ImageView",
      id: "clips_action_bar_back_button",
      desc: "Back",
      b: [0, 39, 91, 130],
      tap: "editBack",
    },
    ...["Audio", "Text", "Overlay", "Edit video"].map(
      (t, i): NodeSpec => ({
        c: "TextView",
        id: "clips_editor_tool",
        text: t,
        b: [20 + i * 140, 1190, 150 + i * 140, 1260],
        tap: "noop",
      }),
    ),
    {
      c: "Button",
      id: "clips_right_action_button",
      text: "Next",
      desc: "Next",
      b: [500, 1290, 700, 1370],
      tap: "editNext",
    },
  ];
}

export function caption(app: InstagramView): NodeSpec[] {
  return [
    {
      c: "LinearLayout",
      id: "action_bar",
      b: [0, 39, 720, 130],
      children: [
        {
          c: "ImageView",
          id: "action_bar_button_back",
          desc: "Back",
          b: [0, 39, 91, 130],
          tap: "captionBack",
        },
        {
          c: "TextView",
          id: "action_bar_title",
          text: DEST_TITLE[app.dest],
          desc: DEST_TITLE[app.dest],
          b: [117, 65, 255, 104],
        },
      ],
    },
    {
      c: "ScrollView",
      id: "scroll_view",
      b: [0, 130, 720, 1233],
      scrollable: true,
      children: [
        {
          c: "AutoCompleteTextView",
          id: "caption_input_text_view",
          field: "caption",
          hint: "Write a caption and add hashtags...",
          b: [26, 141, 694, 305],
        },
        { c: "TextView", id: "title", text: "Tag people", b: [85, 422, 239, 455] },
        {
          c: "LinearLayout",
          id: "metadata_location_first_row",
          b: [0, 478, 720, 556],
          tap: "noop",
          children: [{ c: "TextView", id: "location_label", text: "Add location", b: [85, 478, 655, 556] }],
        },
        { c: "TextView", id: "title", text: "Rename audio", b: [85, 655, 276, 688] },
        { c: "TextView", id: "title", text: "Audience", b: [85, 880, 220, 913] },
        { c: "TextView", id: "inline_subtitle", text: "Everyone", b: [220, 882, 642, 911] },
      ],
    },
    {
      c: "LinearLayout",
      id: "share_button_container",
      b: [0, 1233, 720, 1362],
      children: [
        {
          c: "Button",
          id: "save_draft_button",
          desc: "Save draft",
          b: [26, 1257, 347, 1329],
          tap: "saveDraft",
          children: [{ c: "TextView", text: "Save draft", b: [129, 1278, 243, 1308] }],
        },
        {
          c: "FrameLayout",
          id: "share_button",
          desc: "Share",
          b: [373, 1257, 694, 1329],
          tap: "share",
          children: [{ c: "TextView", text: "Share", b: [501, 1278, 566, 1308] }],
        },
      ],
    },
  ];
}

/** The story editor for shared media (ids and texts of a real dump, instagram_story_editor_share). */
export function storyEditor(): NodeSpec[] {
  const tool = (id: string, desc: string, x: number): NodeSpec => ({
    c: "ImageView",
    id,
    desc,
    b: [x, 98, x + 88, 186],
    tap: id === "cancel_button" ? "storyCancel" : "noop",
  });
  const action = (label: string, x1: number, x2: number, tap: string): NodeSpec => ({
    c: "Button",
    desc: label,
    b: [x1, 1300, x2, 1388],
    tap,
    children: label === "Share to" ? [] : [{ c: "TextView", text: label, b: [x1 + 50, 1320, x2 - 50, 1368] }],
  });
  return [
    { c: "FrameLayout", id: "quick_capture_root_container", b: [0, 0, 720, 1280] },
    {
      c: "LinearLayout",
      id: "edit_buttons_toolbar",
      b: [8, 90, 712, 194],
      children: [
        tool("cancel_button", "Cancel", 14),
        tool("add_text_button", "Add text", 318),
        tool("asset_button", "Emojis and stickers", 418),
        tool("music_button", "Music", 518),
        tool("overflow_button", "More actions", 618),
      ],
    },
    {
      c: "ViewGroup",
      id: "story_share_controls_action_bar",
      b: [24, 1300, 696, 1388],
      children: [
        action("Your story", 24, 304, "share"),
        action("Close Friends", 316, 596, "noop"),
        action("Share to", 608, 696, "noop"),
      ],
    },
  ];
}

/** A share to Chats (DirectShareHandlerActivity): "Send to" a conversation; sending is not simulated. */
export function directShare(): NodeSpec[] {
  return [
    { c: "TextView", id: "action_bar_title", text: "Send to", b: [117, 65, 400, 104] },
    { c: "ImageView", id: "action_bar_button_back", desc: "Back", b: [0, 39, 91, 130], tap: "back" },
    { c: "EditText", id: "search_edit_text", field: "directSearch", hint: "Search", b: [24, 150, 696, 210] },
  ];
}

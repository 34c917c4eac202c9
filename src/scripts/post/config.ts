// The post script's config: where its materials come from (the library's fields) and how it posts.
import { type Static, Type as T } from "@sinclair/typebox";
import { choice } from "../../explain.ts";
import { onlyOn, showWhen } from "../../field-hints.ts";
import { materialFields } from "../../materials/index.ts";

/** The values of add_sound that add a sound (and so set the volumes). */
const SOUND_ADDED = ["1", "custom"];

const volume = (title: string, description: string) =>
  T.Integer({
    minimum: 0,
    maximum: 100,
    default: 50,
    title,
    description,
    ...showWhen({ add_sound: SOUND_ADDED }),
    ...onlyOn("tiktok"),
  });
const {
  content_type,
  image_count,
  captions,
  material_source,
  material_path,
  material_list,
  materials_tags,
  include_possibly_posted,
} = materialFields;

export const postConfig = T.Object(
  {
    content_type,
    image_count,
    captions,
    post_way: choice(
      [
        ["share", "Share to the app"],
        ["addButton", "The app's + button"],
        ["useSound", "A sound's page (TikTok)"],
      ],
      {
        default: "share",
        title: "How to open the app",
        description:
          "Share the files to the app, tap the app's own + button, or start from the page of sound_name (Use this sound)",
      },
    ),
    material_source,
    material_path,
    material_list,
    materials_tags,
    include_possibly_posted,
    upload_wait_time: T.Integer({
      minimum: 0,
      maximum: 3600,
      default: 30,
      title: "Wait for the upload (seconds)",
      description:
        "How long to wait after Post for the upload to end; then the post is looked for on the account's profile, and one not seen in time ends unconfirmed, never retried (it may be up)",
    }),
    sound_wait_time: T.Integer({
      minimum: 0,
      maximum: 600,
      default: 10,
      title: "Wait for a sound (seconds)",
      description: "How long a sound may take to show in the app's sound list",
      ...onlyOn("tiktok"),
    }),
    add_sound: choice(
      [
        ["-1", "As the app sets it"],
        ["0", "No added sound"],
        ["1", "Recommended sound"],
        ["custom", "Sound by keyword"],
      ],
      {
        default: "-1",
        title: "Sound",
        description:
          "A sound to add in TikTok's editor: the first recommended one, or the first found for custom_sound_keyword",
        ...onlyOn("tiktok"),
      },
    ),
    sound_name: T.String({
      default: "",
      title: "Sound name or link",
      description:
        "The sound whose page the post starts from (needed when opening the app from a sound's page)",
      ...showWhen({ post_way: ["useSound"] }),
      ...onlyOn("tiktok"),
    }),
    custom_sound_keyword: T.String({
      default: "",
      title: "Sound search words",
      description: "What to search for in the sound list; the first sound found is added",
      ...showWhen({ add_sound: ["custom"] }),
      ...onlyOn("tiktok"),
    }),
    origin_sound_volume: volume(
      "Video's own sound volume (%)",
      "The volume of the video's own sound, 0 to 100",
    ),
    add_sound_volume: volume("Added sound volume (%)", "The volume of the added sound, 0 to 100"),
    add_product_link: choice(
      [
        [0, "No product link"],
        [1, "Add a product link"],
      ],
      {
        default: 0,
        title: "Product link",
        description: "Add a product link to the post (TikTok Shop)",
        ...onlyOn("tiktok"),
      },
    ),
    placement: choice(
      [
        ["reel", "Reel"],
        ["story", "Story"],
      ],
      { default: "reel", title: "Post as", description: "A reel or a story", ...onlyOn("instagram") },
    ),
  },
  { additionalProperties: false },
);

export type PostConfig = Static<typeof postConfig>;

// The post script's config: where its materials come from (the library's fields) and how it posts.
import { type Static, Type as T } from "@sinclair/typebox";
import { choice } from "../../explain.ts";
import { materialFields } from "../../materials/index.ts";

const volume = T.Integer({ minimum: 0, maximum: 100, default: 50 });
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
        ["share", "the system share intent"],
        ["addButton", "the app's own + button"],
        ["useSound", "the page of sound_name (Use this sound)"],
      ],
      { default: "share", description: "how the app is entered" },
    ),
    material_source,
    material_path,
    material_list,
    materials_tags,
    include_possibly_posted,
    upload_wait_time: T.Integer({ minimum: 0, maximum: 3600, default: 30 }),
    sound_wait_time: T.Integer({ minimum: 0, maximum: 600, default: 10 }),
    add_sound: choice(
      [
        ["-1", "leave the sound as the app sets it"],
        ["0", "no added sound"],
        ["1", "a recommended sound"],
        ["custom", "the first sound found for custom_sound_keyword"],
      ],
      { default: "-1" },
    ),
    sound_name: T.String({ default: "" }),
    custom_sound_keyword: T.String({ default: "" }),
    origin_sound_volume: volume,
    add_sound_volume: volume,
    add_product_link: choice(
      [
        [0, "no product link"],
        [1, "add a product link"],
      ],
      { default: 0, description: "TikTok only" },
    ),
    placement: choice(
      [
        ["reel", "a reel"],
        ["story", "a story"],
      ],
      { default: "reel", description: "Instagram only" },
    ),
  },
  { additionalProperties: false },
);

export type PostConfig = Static<typeof postConfig>;

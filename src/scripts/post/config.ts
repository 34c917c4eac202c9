// The post script's config: where its materials come from (the library's fields) and how it posts.
import { type Static, Type as T } from "@sinclair/typebox";
import { materialFields } from "../../materials/index.ts";

const volume = T.Integer({ minimum: 0, maximum: 100, default: 50 });
const { content_type, image_count, captions, material_source, material_path, material_list, materials_tags } =
  materialFields;

export const postConfig = T.Object(
  {
    content_type,
    image_count,
    captions,
    post_way: T.Union([T.Literal("share"), T.Literal("addButton"), T.Literal("useSound")], {
      default: "share",
    }),
    material_source,
    material_path,
    material_list,
    materials_tags,
    upload_wait_time: T.Integer({ minimum: 0, maximum: 3600, default: 30 }),
    sound_wait_time: T.Integer({ minimum: 0, maximum: 600, default: 10 }),
    add_sound: T.Union([T.Literal("-1"), T.Literal("0"), T.Literal("1"), T.Literal("custom")], {
      default: "-1",
    }),
    sound_name: T.String({ default: "" }),
    custom_sound_keyword: T.String({ default: "" }),
    origin_sound_volume: volume,
    add_sound_volume: volume,
    add_product_link: T.Union([T.Literal(0), T.Literal(1)], { default: 0, description: "TikTok only" }),
    placement: T.Union([T.Literal("reel"), T.Literal("story")], {
      default: "reel",
      description: "Instagram only",
    }),
  },
  { additionalProperties: false },
);

export type PostConfig = Static<typeof postConfig>;

import { type Static, Type as T } from "@sinclair/typebox";
import type { ErrorDetail } from "../errors.ts";
import { checkPostMaterials } from "../materials/index.ts";
import type { ScriptDefinition } from "./definition.ts";
import { run } from "./post/index.ts";

const volume = T.Integer({ minimum: 0, maximum: 100, default: 50 });

export const postConfig = T.Object(
  {
    content_type: T.Union([T.Literal(0), T.Literal(1)], { default: 0, description: "0 video, 1 images" }),
    image_count: T.Integer({
      minimum: 1,
      maximum: 35,
      default: 1,
      description: "images to pick (content_type 1)",
    }),
    captions: T.String({
      default: "",
      maxLength: 10000,
      description: "spintax {a|b|c} picks one option per task; several lines = captions rotated across tasks",
    }),
    post_way: T.Union([T.Literal("share"), T.Literal("addButton"), T.Literal("useSound")], {
      default: "share",
    }),
    material_source: T.Union([T.Literal("materialLibrary"), T.Literal("localFolder")], {
      default: "materialLibrary",
    }),
    material_path: T.String({ default: "", description: "folder on this PC (material_source localFolder)" }),
    material_list: T.Array(T.String({ minLength: 1 }), {
      default: [],
      maxItems: 100,
      description: "files on this PC (mp4, mov, jpg, jpeg, png, webp); when given it wins",
    }),
    materials_tags: T.String({
      default: "",
      description:
        "comma-separated: library files with any of these tags (materialLibrary; empty = any file)",
    }),
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

function checkPost(c: Static<typeof postConfig>): ErrorDetail[] {
  const issues: ErrorDetail[] = [];
  if (c.post_way === "useSound" && !c.sound_name) {
    issues.push({ path: "/script_config/sound_name", message: "required when post_way is useSound" });
  }
  if (c.add_sound === "custom" && !c.custom_sound_keyword) {
    issues.push({
      path: "/script_config/custom_sound_keyword",
      message: "required when add_sound is custom",
    });
  }
  // the materials last: their message names what is missing once the fields themselves are right
  return [...issues, ...checkPostMaterials(c)];
}

export const post: ScriptDefinition<typeof postConfig> = {
  name: "post",
  description: "Publish a video or images to TikTok or Instagram",
  configSchema: postConfig,
  example: {
    content_type: 0,
    captions: "Check my new video! #viral #trending",
    material_list: ["/home/farm/videos/video1.mp4"],
    upload_wait_time: 60,
  },
  check: checkPost,
  run,
  maxDurationS: (c) => 600 + c.upload_wait_time + c.sound_wait_time,
};

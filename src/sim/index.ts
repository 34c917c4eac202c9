/** The virtual Android phone: ADB device side over TCP with simulated TikTok/Instagram. */
export type { Intent, PopupDef, Post } from "./apps/app.ts";
export { SimApp } from "./apps/app.ts";
export { INSTAGRAM_PKG, InstagramApp } from "./apps/instagram/behaviour.ts";
export { TIKTOK_PKG, TikTokApp } from "./apps/tiktok/behaviour.ts";
export type { UiNode } from "./apps/ui.ts";
export type { MediaEntry } from "./media.ts";
export {
  type AuthMode,
  FEATURES,
  type RecordedCommand,
  VirtualPhone,
  type VirtualPhoneOptions,
} from "./phone.ts";

/** The virtual Android phone: ADB device side over TCP with simulated TikTok/Instagram. */
export type { Intent, PopupDef, Post } from "./apps/app.ts";
export { SimApp } from "./apps/app.ts";
export { INSTAGRAM_PKG, InstagramApp } from "./apps/instagram/behaviour.ts";
export { REELS, type Reel, reelKey, topicReels } from "./apps/instagram/view.ts";
export { TIKTOK_PKG, TikTokApp } from "./apps/tiktok/behaviour.ts";
export { RENAMED_POST_VERSION } from "./apps/tiktok/post-screens.ts";
export { FEED, topicVideos, type Video, videoKey } from "./apps/tiktok/view.ts";
export type { UiNode } from "./apps/ui.ts";
export type { PhoneClock } from "./device.ts";
export {
  type CommandKind,
  commandKind,
  LATENCY_PROFILES,
  type LatencyProfile,
  type LatencyProfileName,
  type PhoneWait,
  type Range,
  type WaitKind,
} from "./latency.ts";
export type { MediaEntry } from "./media.ts";
export {
  type AuthMode,
  FEATURES,
  type RecordedCommand,
  VirtualPhone,
  type VirtualPhoneOptions,
} from "./phone.ts";
// the screen's canvas: also what a host needs to make a sample PNG
export { Canvas } from "./png.ts";
export {
  AOSP_PERMISSION_PKG,
  GOOGLE_PERMISSION_PKG,
  type Realism,
  type RealismOptions,
} from "./realism.ts";
export {
  UIA2_PORT,
  UIA2_RUNNER,
  UIA2_SERVER_PKG,
  UIA2_TEST_PKG,
  type Uia2Request,
  Uia2Sim,
} from "./uia2.ts";

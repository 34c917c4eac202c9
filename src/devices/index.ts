/** The phone device layer: find phones (adb server or direct TCP), track them, and drive them. */
export type { DeviceState, Transport } from "../domain.ts";
export { AdbServer, type AdbServerAddress, type AdbState, type AdbStatus, adbDown } from "./adb-server.ts";
export { connectDirect, type DirectConnectOptions } from "./direct.ts";
export { ConnectError, PhoneError, type PhoneErrorCode, ScreenNotIdle } from "./errors.ts";
export { FastUiManager, type FastUiStatus } from "./fast-ui/manager.ts";
export { FastUi, type FastUiState } from "./fast-ui/session.ts";
export { type ConnectOptions, Fleet, type FleetOptions } from "./fleet.ts";
export { FileCredentialStore } from "./keys.ts";
export {
  Phone,
  type PhoneDetails,
  type PhoneOptions,
  type RemoteStat,
  type ScreenSize,
  type ShellResult,
  TIMEOUTS,
} from "./phone.ts";
export { ADB_DOWN_HINT, type DeviceInfo, UNAUTHORIZED_HINT } from "./registry.ts";
export { transportOfSerial } from "./server-source.ts";
export { inputTextArg, quote, raw, sh } from "./shell-quote.ts";
export { type Bounds, parseUiDump, parseXml, type UiNode, walkUi } from "./ui-tree.ts";
export type { VerbOptions } from "./verb.ts";

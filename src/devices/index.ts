/** The phone device layer: find phones (adb server or direct TCP), track them, and drive them. */
export { AdbServer, type AdbServerAddress, type AdbStatus, type Log } from "./adb-server.ts";
export { connectDirect, type DirectConnectOptions } from "./direct.ts";
export { PhoneError, type PhoneErrorCode, type VerbOptions } from "./errors.ts";
export {
  ADB_DOWN_HINT,
  type DeviceInfo,
  type DeviceState,
  Fleet,
  type FleetOptions,
  transportOfSerial,
  UNAUTHORIZED_HINT,
} from "./fleet.ts";
export { FileCredentialStore } from "./keys.ts";
export {
  Phone,
  type PhoneDetails,
  type PhoneOptions,
  type RemoteStat,
  type ScreenSize,
  type ShellResult,
  TIMEOUTS,
  type Transport,
} from "./phone.ts";
export { inputTextArg, quote, raw, sh } from "./shell-quote.ts";
export { type Bounds, parseUiDump, parseXml, type UiNode, walkUi } from "./ui-tree.ts";

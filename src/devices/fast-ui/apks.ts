/**
 * Appium's UiAutomator2 server (npm `appium-uiautomator2-server`, Apache-2.0), embedded in the executable:
 * the server APK and its instrumentation (test) APK, read back with `Bun.file`. A new version of the
 * dependency renames the server APK: change the import below with it (the build fails until then). The
 * package exports no subpaths, so its files are imported by their place in node_modules.
 */

import server from "appium-uiautomator2-server/package.json" with { type: "json" };
import testApk from "../../../node_modules/appium-uiautomator2-server/apks/appium-uiautomator2-server-debug-androidTest.apk" with {
  type: "file",
};
import serverApk from "../../../node_modules/appium-uiautomator2-server/apks/appium-uiautomator2-server-v10.6.6.apk" with {
  type: "file",
};

export const SERVER_PKG = "io.appium.uiautomator2.server";
export const TEST_PKG = `${SERVER_PKG}.test`;
/** What `am instrument -w` starts: the test package's runner, which runs the server until stopped. */
export const INSTRUMENTATION = `${TEST_PKG}/androidx.test.runner.AndroidJUnitRunner`;
/** The port the server listens on, on the phone. */
export const SERVER_PORT = 6790;
/** The server's version (its versionName on the phone). */
export const SERVER_VERSION: string = server.version;

export interface Apk {
  pkg: string;
  /** The embedded file (a path Bun.file reads, also inside the executable). */
  path: string;
  /** Where it is pushed on the phone before `pm install`. */
  remote: string;
}

export const APKS: readonly Apk[] = [
  { pkg: SERVER_PKG, path: serverApk, remote: "/data/local/tmp/farm-uia2-server.apk" },
  { pkg: TEST_PKG, path: testApk, remote: "/data/local/tmp/farm-uia2-server-test.apk" },
];

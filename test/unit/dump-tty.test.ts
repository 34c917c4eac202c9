/**
 * `uiautomator dump /dev/tty`: the tree on stdout, no file to write and read back. Tried on a phone's first
 * dump; a phone whose tty prints no tree is read through the file from then on. The shell below the dump
 * is a stand-in (this is about what is asked of it and how its answers are read).
 */
import { describe, expect, test } from "bun:test";
import type { Adb } from "@yume-chan/adb";
import { PhoneError } from "../../src/devices/errors.ts";
import { type DumpWay, dumpedXml, readUiDumpXml } from "../../src/devices/phone/screen.ts";

const XML = `<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation="0"><node text="Post" /></hierarchy>`;

const bytes = (s: string) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new TextEncoder().encode(s));
      c.close();
    },
  });

/** A phone's shell: `answer` gives each command's stdout and exit code; every command asked is kept. */
function fakeAdb(answer: (command: string) => { stdout: string; exitCode?: number }) {
  const asked: string[] = [];
  const spawn = async ([command]: string[]) => {
    asked.push(command as string);
    const { stdout, exitCode = 0 } = answer(command as string);
    return {
      stdout: bytes(stdout),
      stderr: bytes(""),
      output: bytes(stdout),
      exited: Promise.resolve(exitCode),
    };
  };
  const adb = { subprocess: { shellProtocol: { spawn }, noneProtocol: { spawn } } } as unknown as Adb;
  return { adb, asked };
}

const fail = (m: string) => new PhoneError("failed", "dumpUi", "FAKE", m);
const signal = new AbortController().signal;

describe("the dump on /dev/tty", () => {
  test("the XML is what precedes the 'dumped to' line", () => {
    expect(dumpedXml(`${XML}UI hierchary dumped to: /dev/tty\n`)).toBe(XML);
    expect(dumpedXml(`${XML}\nUI hierchary dumped to: /dev/tty\n`)).toBe(XML);
    expect(dumpedXml("ERROR: could not get idle state.\n")).toBeUndefined();
    expect(dumpedXml("UI hierchary dumped to: /dev/tty\n")).toBeUndefined();
  });

  test("a phone that prints it: read from stdout, no file", async () => {
    const { adb, asked } = fakeAdb((c) =>
      c.includes("/dev/tty") ? { stdout: `${XML}UI hierchary dumped to: /dev/tty\n` } : { stdout: "" },
    );
    const way: DumpWay = {};
    expect(await readUiDumpXml(adb, signal, fail, fail, 4, way)).toBe(XML);
    expect(await readUiDumpXml(adb, signal, fail, fail, 4, way)).toBe(XML);
    expect(way.tty).toBe(true);
    expect(asked).toEqual(["uiautomator dump /dev/tty", "uiautomator dump /dev/tty"]);
  });

  test("a phone that does not: the file, and the tty never asked again", async () => {
    const { adb, asked } = fakeAdb((c) =>
      c.includes("/dev/tty")
        ? { stdout: "java.io.FileNotFoundException: /dev/tty: open failed: ENXIO\n", exitCode: 1 }
        : c.startsWith("cat")
          ? { stdout: XML }
          : { stdout: "UI hierchary dumped to: /sdcard/window_dump.xml\n" },
    );
    const way: DumpWay = {};
    expect(await readUiDumpXml(adb, signal, fail, fail, 4, way)).toBe(XML);
    expect(way.tty).toBe(false);
    expect(await readUiDumpXml(adb, signal, fail, fail, 4, way)).toBe(XML);
    expect(asked.filter((c) => c.includes("/dev/tty"))).toHaveLength(1);
    expect(asked.filter((c) => c.startsWith("cat"))).toHaveLength(2);
  });

  test("a screen that will not settle on the first dump decides nothing yet", async () => {
    let n = 0;
    const { adb } = fakeAdb(() =>
      n++ === 0
        ? { stdout: "ERROR: could not get idle state.\n" }
        : { stdout: `${XML}UI hierchary dumped to: /dev/tty\n` },
    );
    const way: DumpWay = {};
    expect(await readUiDumpXml(adb, signal, fail, fail, 2, way)).toBe(XML);
    expect(way.tty).toBe(true);
  });
});

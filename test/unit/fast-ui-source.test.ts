// Appium UiAutomator2 server's page source (GET /session/:id/source) read by ui-tree.ts as a `uiautomator dump`
// is: the class name as the tag, a `hierarchy` root with the display's size, a toast as a node of its own;
// and the HTTP answers of the phone's port read whole (length, chunked, to the end).
import { describe, expect, test } from "bun:test";
import { parseResponse } from "../../src/devices/fast-ui/http.ts";
import { parseUiDump, walkUi } from "../../src/devices/ui-tree.ts";

// the server's form (AccessibilityNodeInfoDumper): indented, `index` first, `displayed` on every node
const SOURCE = `<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>
<hierarchy index="0" class="hierarchy" rotation="0" width="1080" height="2400">
  <android.widget.FrameLayout index="0" package="com.zhiliaoapp.musically" class="android.widget.FrameLayout" text="" checkable="false" checked="false" clickable="false" enabled="true" focusable="false" focused="false" long-clickable="false" password="false" scrollable="false" selected="false" bounds="[0,0][1080,2400]" displayed="true">
    <android.widget.Button index="0" package="com.zhiliaoapp.musically" class="android.widget.Button" text="Follow" resource-id="com.zhiliaoapp.musically:id/follow" content-desc="Follow &amp; more" checkable="false" checked="false" clickable="true" enabled="true" focusable="true" focused="false" long-clickable="false" password="false" scrollable="false" selected="false" bounds="[40,600][520,700]" displayed="true" />
    <android.widget.EditText index="1" package="com.zhiliaoapp.musically" class="android.widget.EditText" text="caf&#233; &lt;3" resource-id="com.zhiliaoapp.musically:id/caption" checkable="false" checked="false" clickable="true" enabled="true" focusable="true" focused="true" long-clickable="true" password="false" scrollable="false" selected="false" bounds="[40,800][1040,900]" displayed="true" hint="Describe your post" />
  </android.widget.FrameLayout>
  <android.widget.Toast index="1" package="com.android.settings" class="android.widget.Toast" text="Your video is being uploaded" displayed="true" />
</hierarchy>
`;

describe("the server's page source", () => {
  test("parses into the same tree as a dump: classes from the tags' class, ids, texts, flags, bounds", () => {
    const root = parseUiDump(SOURCE);
    expect(root.className).toBe("hierarchy");
    expect(root.bounds).toEqual({ x1: 0, y1: 0, x2: 1080, y2: 2400 });
    const nodes = [...walkUi(root)];
    const button = nodes.find((n) => n.resourceId === "com.zhiliaoapp.musically:id/follow");
    expect(button).toMatchObject({
      className: "android.widget.Button",
      text: "Follow",
      contentDesc: "Follow & more",
      clickable: true,
      enabled: true,
      bounds: { x1: 40, y1: 600, x2: 520, y2: 700 },
    });
    const field = nodes.find((n) => n.className === "android.widget.EditText");
    expect(field).toMatchObject({ text: "café <3", focused: true });
    // the toast the server adds under the root is a node like any other (its text found by selectors)
    expect(nodes.find((n) => n.className === "android.widget.Toast")?.text).toBe(
      "Your video is being uploaded",
    );
  });

  test("a node without a class attribute takes its tag as the class", () => {
    const root = parseUiDump(
      `<hierarchy class="hierarchy"><android.view.View text="x" bounds="[0,0][10,10]" /></hierarchy>`,
    );
    expect(root.children[0]?.className).toBe("android.view.View");
  });
});

describe("HTTP answers from the phone's port", () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  test("by Content-Length: whole only once every byte is there", () => {
    const body = JSON.stringify({ sessionId: "s", value: "<hierarchy/>" });
    const full = `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`;
    expect(parseResponse(bytes(full.slice(0, -3)), false)).toBeNull();
    expect(parseResponse(bytes(full), false)).toEqual({ status: 200, body });
  });
  test("chunked, and to the end of the stream", () => {
    const chunked =
      "HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
    expect(parseResponse(bytes(chunked), false)).toEqual({ status: 500, body: "hello world" });
    const open = "HTTP/1.0 200 OK\r\n\r\nabc";
    expect(parseResponse(bytes(open), false)).toBeNull();
    expect(parseResponse(bytes(open), true)).toEqual({ status: 200, body: "abc" });
  });
  test("not HTTP: an error", () => {
    expect(() => parseResponse(bytes("SSH-2.0\r\n\r\n"), true)).toThrow(/not an HTTP answer/);
  });
});

/** The light reads a flow takes instead of a dump: the soft keyboard and the window in front. */
import { describe, expect, test } from "bun:test";
import { parseFocus, parseInputShown } from "../../src/devices/phone/screen.ts";

describe("dumpsys, read", () => {
  test("input_method: mInputShown", () => {
    expect(
      parseInputShown("  mCurMethodId=com.google.android.inputmethod.latin/.LatinIME\n  mInputShown=true\n"),
    ).toBe(true);
    expect(parseInputShown("  mInputShown=false\n  mShowRequested=true\n")).toBe(false);
    expect(parseInputShown("")).toBe(false);
  });

  test("window: the focused window's package and activity (a short activity made full)", () => {
    expect(
      parseFocus(
        "  mCurrentFocus=Window{8c1f2e3 u0 com.zhiliaoapp.musically/com.ss.android.ugc.aweme.main.MainActivity}\n",
      ),
    ).toEqual({ pkg: "com.zhiliaoapp.musically", activity: "com.ss.android.ugc.aweme.main.MainActivity" });
    expect(
      parseFocus("  mCurrentFocus=Window{1a2b u0 com.instagram.android/.activity.MainTabActivity}"),
    ).toEqual({
      pkg: "com.instagram.android",
      activity: "com.instagram.android.activity.MainTabActivity",
    });
    expect(parseFocus("  mCurrentFocus=Window{77 u0 StatusBar}")).toEqual({ pkg: "StatusBar", activity: "" });
    expect(parseFocus("  mCurrentFocus=null\n")).toBeNull();
  });
});

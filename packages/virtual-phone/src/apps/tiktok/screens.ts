/** TikTok's screens by name: the layouts (ids, texts, bounds in 1080x2400) drawn from the app's state. */

import { isUnknownUser } from "../app.ts";
import type { NodeSpec } from "../ui.ts";
import { ownProfile } from "./account-screens.ts";
import { home, searchPage, soundPage, userNotFoundPage, userPage, videoPage } from "./feed-screens.ts";
import { camera, editor, gallery, postScreen } from "./post-screens.ts";
import { nav, type TikTokView } from "./view.ts";

export function screenNodes(app: TikTokView): NodeSpec[] {
  switch (app.screen) {
    case "camera":
      return camera();
    case "gallery":
      return [...camera(), ...gallery(app)];
    case "editor":
      return editor(app);
    case "post":
      return postScreen(app);
    case "video":
      return videoPage(app, app.currentVideo(), false);
    case "user":
      return isUnknownUser(app.profileUser) ? userNotFoundPage() : userPage(app);
    case "search":
      return searchPage(app);
    case "soundPage":
      return soundPage(app);
    case "profile":
      return ownProfile(app);
    case "friends":
    case "inbox":
      return [
        {
          c: "TextView",
          id: "title",
          text: app.screen[0]?.toUpperCase() + app.screen.slice(1),
          b: [300, 140, 780, 230],
        },
        ...nav(app.screen),
      ];
    default:
      return home(app);
  }
}

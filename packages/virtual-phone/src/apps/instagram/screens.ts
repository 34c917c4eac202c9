/** Instagram's screens by name: the layouts (stable ids, texts, bounds in 720x1440) drawn from the app's state. */

import { isUnknownUser } from "../app.ts";
import type { NodeSpec } from "../ui.ts";
import { loginPage, ownProfile } from "./account-screens.ts";
import {
  commentsPage,
  home,
  postView,
  searchPage,
  storyViewer,
  userNotFoundPage,
  userPage,
} from "./feed-screens.ts";
import { caption, directShare, edit, gallery, storyEditor } from "./post-screens.ts";
import { reelsViewer, searchResults } from "./reels-screens.ts";
import type { InstagramView } from "./view.ts";

export function screenNodes(app: InstagramView): NodeSpec[] {
  if (app.account === null) return loginPage();
  switch (app.screen) {
    case "gallery":
      return gallery(app);
    case "edit":
      return edit();
    case "directShare":
      return directShare();
    case "storyViewer":
      return storyViewer(app);
    case "storyEditor":
      return storyEditor();
    case "caption":
      return caption(app);
    case "user":
      return isUnknownUser(app.profileUser) ? userNotFoundPage() : userPage(app);
    case "postView":
      return postView(app);
    case "comments":
      return commentsPage(app);
    case "search":
      return searchPage(app);
    case "searchResults":
      return searchResults(app);
    case "reels":
      return reelsViewer(app);
    case "reelComments":
      return commentsPage(app);
    case "profile":
      return ownProfile(app);
    default:
      return home(app);
  }
}

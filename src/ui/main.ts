// The operator's dashboard: typed modules, no framework, talking only to this service's own API (/api/v1, the
// OpenAPI document at /swagger/json and the event stream), bundled into the executable at build time.
import { byId } from "./dom.ts";
import { startEvents } from "./events.ts";
import { loadServiceTime } from "./format.ts";
import { accountsPage } from "./pages/accounts.ts";
import { farmPage } from "./pages/farm.ts";
import { licensePage } from "./pages/license.ts";
import { materialsPage } from "./pages/materials.ts";
import { newTaskPage } from "./pages/new-task.ts";
import { taskPage } from "./pages/task.ts";
import { tasksPage } from "./pages/tasks.ts";
import { tickElapsed } from "./progress.ts";
import { definePages, route } from "./router.ts";

const THEME_KEY = "farm-theme";
const THEMES = ["auto", "light", "dark"] as const;
type Theme = (typeof THEMES)[number];

function applyTheme(theme: Theme) {
  if (theme === "auto") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
  const btn = byId("theme");
  btn.textContent = `Theme: ${theme}`;
  btn.setAttribute("aria-label", `Colour theme: ${theme} (change)`);
}

function start() {
  definePages({
    farm: farmPage,
    tasks: tasksPage,
    task: taskPage,
    new: newTaskPage,
    accounts: accountsPage,
    materials: materialsPage,
    license: licensePage,
  });
  const stored = localStorage.getItem(THEME_KEY);
  let theme: Theme = THEMES.find((t) => t === stored) ?? "auto";
  applyTheme(theme);
  byId("theme").addEventListener("click", () => {
    theme = THEMES[(THEMES.indexOf(theme) + 1) % THEMES.length] ?? "auto";
    localStorage.setItem(THEME_KEY, theme);
    applyTheme(theme);
  });
  window.addEventListener("hashchange", route);
  startEvents();
  tickElapsed();
  // the first page already shows its times in the service's zone
  void loadServiceTime().finally(route);
}

start();

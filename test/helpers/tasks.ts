// A task row as the store takes it, for tests that write tasks straight into a store.
import type { NewTask } from "../../src/store/tasks.ts";

export const newTask = (over: Partial<NewTask> = {}): NewTask => ({
  serial: "PHONE1",
  username: null,
  accountId: null,
  platform: "tiktok",
  scriptName: "follow",
  scriptConfig: "{}",
  source: "api",
  startTime: null,
  scheduledAt: null,
  ...over,
});

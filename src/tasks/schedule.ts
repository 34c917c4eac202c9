// When a task becomes due: "HH:MM" in the service's time zone, next occurrence, DST-safe (croner does the
// calendar work), and the random gaps that space consecutive tasks on one phone.
import { Cron } from "croner";

export const START_TIME_PATTERN = "^([01]?[0-9]|2[0-3]):[0-5][0-9]$";

/** The next instant at which the wall clock in `timezone` reads `hhmm`, strictly after `now`. */
export function nextOccurrence(hhmm: string, timezone: string, now: Date): Date {
  const [h, m] = hhmm.split(":").map(Number);
  const job = new Cron(`0 ${m} ${h} * * *`, { timezone, paused: true });
  const next = job.nextRun(now);
  job.stop();
  if (!next) throw new Error(`no next occurrence of ${hhmm} in ${timezone}`);
  return next;
}

/** A random whole number of minutes in [min, max], as milliseconds. */
export function randomGapMs(minMinutes: number, maxMinutes: number, random = Math.random): number {
  const minutes = minMinutes + Math.floor(random() * (maxMinutes - minMinutes + 1));
  return minutes * 60_000;
}

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

/** `ms` as the wall clock in `timezone` reads it, ISO 8601 with that zone's offset ("2026-12-03T11:26:00+01:00"). */
export function zonedIso(ms: number, timezone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    })
      .formatToParts(ms)
      .map((p) => [p.type, p.value]),
  );
  const wall = `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
  const whole = Math.floor(ms / 1000) * 1000;
  const offsetMin = Math.round((Date.parse(`${wall}Z`) - whole) / 60_000);
  const sign = offsetMin < 0 ? "-" : "+";
  const abs = Math.abs(offsetMin);
  const hhmm = `${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
  return `${wall}${sign}${hhmm}`;
}

/** "2026-12-04 11:00 Europe/Madrid": a time as a person on the farm reads it. */
export function wallClock(ms: number, timezone: string): string {
  return `${zonedIso(ms, timezone).slice(0, 16).replace("T", " ")} ${timezone}`;
}

// Times, sizes and durations as the page shows them. Every time is in the service's zone, which it names
// (start_time is read in that zone too).
import { byId, h } from "./dom.ts";

/** The service's time zone and how far its clock is from this browser's (both from /health). */
export const serviceTime: { zone: string | null; skewMs: number } = { zone: null, skewMs: 0 };

export async function loadServiceTime() {
  try {
    const health = (await (await fetch("/health")).json()) as { timezone?: string; time?: string };
    serviceTime.zone = health.timezone ?? null;
    serviceTime.skewMs = health.time ? Date.parse(health.time) - Date.now() : 0;
  } catch {
    // an older service, or none: times stay in this browser's zone, which they still name
  }
  const clock = byId("clock");
  const tick = () => {
    const now = new Date(Date.now() + serviceTime.skewMs);
    const time = now.toLocaleTimeString(undefined, {
      timeZone: serviceTime.zone ?? undefined,
      hour: "2-digit",
      minute: "2-digit",
      // 24-hour, as start_time is written
      hourCycle: "h23",
    });
    clock.textContent = serviceTime.zone ? `${time} ${serviceTime.zone}` : time;
  };
  tick();
  setInterval(tick, 15_000);
}

/** A time as the service's zone reads it, with the zone's short name ("03/12/26, 12:26:00 CET"). */
export function when(iso: string | null | undefined): string {
  if (!iso) return "—";
  return new Date(iso).toLocaleString(undefined, {
    timeZone: serviceTime.zone ?? undefined,
    year: "2-digit",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    timeZoneName: "short",
  });
}

export const clockTime = (iso: string) =>
  new Date(iso).toLocaleTimeString(undefined, { timeZone: serviceTime.zone ?? undefined });

export function seconds(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** A duration as people say it: "42 s", "3 min 05 s", "1 h 02 min". */
export function elapsed(s: number): string {
  const t = Math.max(0, Math.floor(s));
  if (t < 60) return `${t} s`;
  if (t < 3600) return `${Math.floor(t / 60)} min ${String(t % 60).padStart(2, "0")} s`;
  return `${Math.floor(t / 3600)} h ${String(Math.floor((t % 3600) / 60)).padStart(2, "0")} min`;
}

export function size(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** A serial that wraps only at its separators (":" and "."), never mid-number. */
export const serialText = (serial: string) => h("span", { class: "serial" }, serial);

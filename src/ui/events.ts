// The event stream (/api/v1/events): pages listen while shown; the throughput counts tasks finished while
// this page is open.
import { currentToken, onToken, type Task, tokenRequired } from "./api.ts";
import { byId } from "./dom.ts";

export interface FarmEvent {
  type: "task" | "device";
  id?: number;
  serial?: string;
  status?: string;
  error?: string | null;
  waiting_for?: Task["waiting_for"];
  progress?: Task["progress"];
  [k: string]: unknown;
}

const listeners = new Set<(e: FarmEvent) => void>();
const finished: number[] = [];
let source: EventSource | undefined;

export function startEvents() {
  source?.close();
  const token = currentToken();
  if (tokenRequired && !token) return;
  const live = byId("live");
  source = new EventSource(`/api/v1/events${token ? `?token=${encodeURIComponent(token)}` : ""}`);
  source.onopen = () => {
    live.textContent = "live";
    live.classList.add("on");
  };
  source.onerror = () => {
    live.textContent = "reconnecting…";
    live.classList.remove("on");
  };
  for (const type of ["task", "device"]) {
    source.addEventListener(type, (e) => {
      const event = JSON.parse((e as MessageEvent<string>).data) as FarmEvent;
      if (type === "task" && (event.status === "completed" || event.status === "failed"))
        finished.push(Date.now());
      for (const fn of listeners) fn(event);
    });
  }
}
onToken(startEvents);

/** Listens to every event; returns the function that stops listening. */
export function onEvent(fn: (e: FarmEvent) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export const isFinished = (e: FarmEvent) => e.status === "completed" || e.status === "failed";

/** Tasks finished in the last minute, as seen by this page. */
export function perMinute(): number {
  const since = Date.now() - 60_000;
  while (finished.length && (finished[0] ?? 0) < since) finished.shift();
  return finished.length;
}

// A webhook receiver on loopback: every delivery's body, in the order they came.
export interface HookReceiver {
  /** http://127.0.0.1:PORT/hook */
  url: string;
  deliveries: string[];
  stop(): void;
}

export function startHookReceiver(): HookReceiver {
  const deliveries: string[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      deliveries.push(await req.text());
      return new Response("ok");
    },
  });
  return { url: `http://127.0.0.1:${server.port}/hook`, deliveries, stop: () => server.stop(true) };
}

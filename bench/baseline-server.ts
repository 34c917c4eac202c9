// The baseline: bare Bun.serve + bun:sqlite doing the same reads as the service (the list's total from the
// kept counts, as the service does), with no framework, no validation, no guard. Usage: bun bench/baseline-server.ts DBFILE PORT
import { Database } from "bun:sqlite";

const [file, port] = process.argv.slice(2);
const db = new Database(file, { readonly: false, strict: true });
db.exec("PRAGMA busy_timeout = 5000");
db.exec("PRAGMA journal_mode = WAL");
const byId = db.query("select * from tasks where id = $id");
const logs = db.query("select * from task_logs where task_id = $id order by id");
const page = db.query(
  "select * from tasks where status = $s order by created_at desc, id desc limit 20 offset 0",
);
const total = db.query("select n from task_counts where status = $s");
const counts = db.query("select status, n from task_counts");

const json = (data: unknown) =>
  new Response(JSON.stringify({ code: 0, message: "success", data }), {
    headers: { "content-type": "application/json" },
  });

const server = Bun.serve({
  port: Number(port),
  hostname: "127.0.0.1",
  fetch(req) {
    const url = new URL(req.url);
    if (url.pathname === "/api/v1/task/stats") return json(counts.all());
    if (url.pathname === "/api/v1/task") {
      const s = Number(url.searchParams.get("status") ?? 0);
      return json({ tasks: page.all({ s }), total: (total.get({ s }) as { n: number }).n });
    }
    const id = Number(url.pathname.split("/").pop());
    const task = byId.get({ id }) as Record<string, unknown> | null;
    if (!task) return json(null);
    task.script_config = JSON.parse(task.script_config as string);
    return json({ ...task, logs: logs.all({ id }) });
  },
});
console.error(`listening on http://127.0.0.1:${server.port}`);

-- Exact task counts per status and per (status, source), maintained on every insert, delete and change
-- of status or source (as SQLite's triggers do in drizzle/0001 and 0004), so GET /task/stats and filtered
-- totals read a few rows instead of counting.
INSERT INTO task_counts (status, n) VALUES (0, 0), (1, 0), (2, 0), (3, 0);
--> statement-breakpoint
CREATE FUNCTION tasks_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE task_counts SET n = n - 1 WHERE status = OLD.status;
    UPDATE task_source_counts SET n = n - 1 WHERE status = OLD.status AND source = OLD.source;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    UPDATE task_counts SET n = n + 1 WHERE status = NEW.status;
    INSERT INTO task_source_counts (status, source, n) VALUES (NEW.status, NEW.source, 1)
      ON CONFLICT (status, source) DO UPDATE SET n = task_source_counts.n + 1;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER tasks_counts_insert AFTER INSERT ON tasks FOR EACH ROW EXECUTE FUNCTION tasks_counts_keep();
--> statement-breakpoint
CREATE TRIGGER tasks_counts_delete AFTER DELETE ON tasks FOR EACH ROW EXECUTE FUNCTION tasks_counts_keep();
--> statement-breakpoint
CREATE TRIGGER tasks_counts_update AFTER UPDATE OF status, source ON tasks FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.source IS DISTINCT FROM NEW.source)
  EXECUTE FUNCTION tasks_counts_keep();

-- Exact per-status task counts, maintained on every insert, delete and status change, so that
-- GET /task/stats reads four rows instead of counting a million.
INSERT INTO task_counts (status, n) VALUES (0, 0), (1, 0), (2, 0), (3, 0);
--> statement-breakpoint
UPDATE task_counts SET n = (SELECT count(*) FROM tasks WHERE tasks.status = task_counts.status);
--> statement-breakpoint
CREATE TRIGGER tasks_count_insert AFTER INSERT ON tasks BEGIN
  UPDATE task_counts SET n = n + 1 WHERE status = NEW.status;
END;
--> statement-breakpoint
CREATE TRIGGER tasks_count_delete AFTER DELETE ON tasks BEGIN
  UPDATE task_counts SET n = n - 1 WHERE status = OLD.status;
END;
--> statement-breakpoint
CREATE TRIGGER tasks_count_update AFTER UPDATE OF status ON tasks WHEN OLD.status <> NEW.status BEGIN
  UPDATE task_counts SET n = n - 1 WHERE status = OLD.status;
  UPDATE task_counts SET n = n + 1 WHERE status = NEW.status;
END;

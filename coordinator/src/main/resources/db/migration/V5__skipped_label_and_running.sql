-- A job whose target is its image's true label (a sweep over all targets asks for it) is answered
-- SKIPPED_LABEL by the worker, which reads the image: no attack ran. It has its own state and counter, so
-- progress shows it apart from abstentions and failures, and it takes part in no success rate and no best
-- outcome (the ingestion leaves it out of image_outcomes; success by target reads DONE results only).
-- RUNNING (already a valid state) is now set from the workers' "started" records, see ResultBatchWriter.
ALTER TABLE jobs DROP CONSTRAINT jobs_state_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_state_check
  CHECK (state IN ('QUEUED', 'RUNNING', 'DONE', 'FAILED', 'CANCELLED', 'SKIPPED', 'SKIPPED_LABEL'));
ALTER TABLE job_results DROP CONSTRAINT job_results_status_check;
ALTER TABLE job_results ADD CONSTRAINT job_results_status_check
  CHECK (status IN ('DONE', 'SKIPPED_ABSTAIN', 'SKIPPED_LABEL', 'CANCELLED'));
ALTER TABLE sweep_progress ADD COLUMN skipped_label bigint NOT NULL DEFAULT 0;
COMMENT ON COLUMN sweep_progress.skipped_label IS 'jobs skipped because their target is the image''s true label';
COMMENT ON COLUMN sweep_progress.running IS 'jobs a worker reported started and that have no end state yet';

-- v_sweep_progress: skipped_label counts as finished; the new column comes last (CREATE OR REPLACE keeps
-- the existing columns and the reader role's grant).
CREATE OR REPLACE VIEW v_sweep_progress AS
SELECT s.id AS sweep_id,
       s.state,
       s.dataset_uri,
       s.preset,
       s.priority,
       s.created_at,
       s.completed_at,
       s.cancelled_at,
       s.total_jobs,
       s.published_jobs,
       p.queued,
       p.running,
       p.done,
       p.skipped,
       p.failed,
       p.cancelled,
       p.done + p.skipped + p.skipped_label + p.failed + p.cancelled AS finished,
       round(100.0 * (p.done + p.skipped + p.skipped_label + p.failed + p.cancelled) / s.total_jobs, 1) AS percent,
       p.skipped_label
FROM sweeps s
JOIN sweep_progress p ON p.sweep_id = s.id;

-- Results stored per minute and sweep (ingestion rate for dashboards: Grafana's "results stored per
-- minute"); a filter on sweep_id is pushed below the grouping, onto job_results_image.
CREATE VIEW v_results_per_minute AS
SELECT sweep_id,
       date_trunc('minute', ingested_at) AS minute,
       count(*) AS results
FROM job_results
GROUP BY sweep_id, date_trunc('minute', ingested_at);

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'shadowfleet_reader') THEN
    GRANT SELECT ON v_results_per_minute TO shadowfleet_reader;
  END IF;
END
$$;

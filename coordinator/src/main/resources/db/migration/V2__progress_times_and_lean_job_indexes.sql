-- Ingestion speed and a cheaper ETA (V1 is released: changes come as new migrations).

-- Counts per state come from sweep_progress; only the failed jobs of a sweep are listed by state, and a
-- partial index costs nothing when a million QUEUED rows are inserted (halves the insert of a
-- million-job sweep).
DROP INDEX jobs_sweep_state;
CREATE INDEX jobs_sweep_failed ON jobs (sweep_id, id) WHERE state = 'FAILED';

-- The ETA is the sweep's mean rate between its first and latest ingested result, kept with the counters,
-- instead of a count over recent job_results (whose index cost every insert).
ALTER TABLE sweep_progress
  ADD COLUMN first_result_at timestamptz,
  ADD COLUMN last_result_at  timestamptz;
DROP INDEX job_results_recent;

COMMENT ON COLUMN job_results.result IS
  'the JobResult as received when it carries no images (jsonb normalises it), else re-encoded without them';
COMMENT ON COLUMN job_results.images IS 'base64 PNGs (natural, perturbation, adversarial) when the worker sent them';
COMMENT ON COLUMN image_outcomes.rank_key IS 'BestOutcome.ORDER as bytes (smaller = better), see OutcomeRank';

-- Ingestion speed (docs/benchmarks.md, "Coordinator"): the job_results insert was ~75 % of the database time
-- per batch.
-- 1. The stored payloads become json instead of jsonb: json keeps the text as received after checking its
--    syntax, jsonb also builds a binary tree of every 1.3 KB result, which nothing here needs (the API returns
--    the text; the few lookups `result -> 'natural'`, `images ->> 'adversarial'` work on json, reading one
--    row each).
ALTER TABLE job_results
  ALTER COLUMN result TYPE json USING result::json,
  ALTER COLUMN images TYPE json USING images::json;
COMMENT ON COLUMN job_results.result IS
  'the JobResult as received when it carries no images, else re-encoded without them (json: the text as sent)';
COMMENT ON COLUMN job_results.images IS 'base64 PNGs (natural, perturbation, adversarial) when the worker sent them';

-- 2. Job state changes become HOT updates (no new index entries) where the page has room: the partial index
--    named `state` in its predicate, so every state change had to insert into all of the table's indexes.
--    `reason` is set exactly when a job is FAILED and stays NULL through QUEUED → RUNNING → DONE, so the same
--    failed-jobs list needs no index change on the common path; a fill factor leaves each page room for the
--    new row versions (two per job: RUNNING, then the result). Applies to pages written from now on.
DROP INDEX jobs_sweep_failed;
CREATE INDEX jobs_sweep_failed ON jobs (sweep_id, id) WHERE reason IS NOT NULL;
ALTER TABLE jobs SET (fillfactor = 80);

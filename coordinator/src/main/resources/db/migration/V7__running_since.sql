-- A job whose worker died stayed RUNNING until another worker redid it, and forever if none came. Workers now
-- repeat a batch's started record while it computes (SHADOWFLEET_STARTED_REFRESH_MS, 1 min by default); the
-- ingestion stamps running_since with each one, and RunningJobReaper returns RUNNING jobs without a result
-- whose stamp is older than shadowfleet.jobs.running-timeout to QUEUED (a later started record makes them
-- RUNNING again; a result always wins). The stamp is the coordinator's clock at ingestion, so worker clocks
-- never matter.
-- No index: an index on running_since, or one whose predicate names state, would make every job state change
-- a non-HOT update again (see V6). The reaper reads only sweeps whose progress row counts running jobs.
ALTER TABLE jobs ADD COLUMN running_since timestamptz;
COMMENT ON COLUMN jobs.running_since IS
  'while RUNNING: when the latest started record of the job was ingested; NULL in every other state';
-- Jobs already RUNNING get a stamp now, so they are timed out from this migration on.
UPDATE jobs SET running_since = now() WHERE state = 'RUNNING';

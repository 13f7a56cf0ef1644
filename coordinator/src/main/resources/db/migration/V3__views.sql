-- Views for dashboards (the built-in one, Grafana, Metabase) and offline analysis. They read the tables
-- the coordinator keeps (sweep_progress, image_outcomes, job_results, models); documented in the
-- coordinator README, section "SQL views". Views run with their owner's rights, so a reader needs
-- SELECT on the views only, never on the tables.

-- Per sweep: job counts per state and the share of jobs that reached an end state.
CREATE VIEW v_sweep_progress AS
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
       p.done + p.skipped + p.failed + p.cancelled AS finished,
       round(100.0 * (p.done + p.skipped + p.failed + p.cancelled) / s.total_jobs, 1) AS percent
FROM sweeps s
JOIN sweep_progress p ON p.sweep_id = s.id;

-- The best outcome per (sweep, model, image), with the model's kind and the norms of the chosen
-- perturbation. natural_abstained: the natural image has no certificate to attack (randomized
-- smoothing abstained, or the job never ran: natural_label is NULL for a cancelled job).
CREATE VIEW v_image_outcomes AS
SELECT o.sweep_id,
       o.model_id,
       m.kind AS model_kind,
       m.sigma,
       m.epsilon,
       o.image_index,
       o.label,
       o.target,
       o.best_job_id,
       o.status,
       o.success,
       o.targeted_success,
       o.natural_label,
       o.natural_certified,
       o.natural_radius,
       (o.natural_label IS NULL OR o.natural_label = -1) AS natural_abstained,
       o.attack_label,
       o.attack_certified,
       o.attack_radius,
       o.attack_method,
       o.spoof_loss,
       o.tv,
       r.delta_l2,
       r.delta_linf,
       o.results
FROM image_outcomes o
JOIN job_results r ON r.job_id = o.best_job_id
LEFT JOIN models m ON m.id = o.model_id;

-- Per (sweep, model): the paper's summaries over the best outcome of each image.
-- Table 1 (randomized smoothing), over images whose natural certificate does not abstain:
--   certified_images, mean/stddev (sample) of the natural radius and of the Shadow Attack radius, where
--   the attack radius of an image whose best attack failed counts as 0 (no spoofed certificate), and
--   success_rate = successful images / certified_images.
-- Table 2 (interval bounds), over images that were certified or predicted (natural_label not NULL):
--   robust_error = share wrongly labelled or not certified on the natural image;
--   attack_error = share correctly labelled or not certified on the attack image (no attack image, as
--   for a skipped job, counts as not certified).
-- Both sets of numbers are computed for every model; the kind says which table applies.
CREATE VIEW v_model_summary AS
SELECT o.sweep_id,
       o.model_id,
       m.kind AS model_kind,
       m.sigma,
       m.epsilon,
       count(*) AS images,
       count(*) FILTER (WHERE o.natural_label IS NULL OR o.natural_label = -1) AS abstained_images,
       count(*) FILTER (WHERE o.natural_label >= 0) AS certified_images,
       count(*) FILTER (WHERE o.natural_label >= 0 AND o.success) AS successful_images,
       avg(o.natural_radius) FILTER (WHERE o.natural_label >= 0) AS natural_radius_mean,
       stddev_samp(o.natural_radius) FILTER (WHERE o.natural_label >= 0) AS natural_radius_stddev,
       avg(CASE WHEN o.success THEN o.attack_radius ELSE 0 END) FILTER (WHERE o.natural_label >= 0)
         AS attack_radius_mean,
       stddev_samp(CASE WHEN o.success THEN o.attack_radius ELSE 0 END) FILTER (WHERE o.natural_label >= 0)
         AS attack_radius_stddev,
       (count(*) FILTER (WHERE o.natural_label >= 0 AND o.success))::double precision
         / NULLIF(count(*) FILTER (WHERE o.natural_label >= 0), 0) AS success_rate,
       (count(*) FILTER (WHERE o.natural_label IS NOT NULL
                         AND (o.natural_label <> o.label OR NOT coalesce(o.natural_certified, false))))::double precision
         / NULLIF(count(*) FILTER (WHERE o.natural_label IS NOT NULL), 0) AS robust_error,
       (count(*) FILTER (WHERE o.natural_label IS NOT NULL
                         AND (o.attack_label IS NULL OR o.attack_label = o.label
                              OR NOT coalesce(o.attack_certified, false))))::double precision
         / NULLIF(count(*) FILTER (WHERE o.natural_label IS NOT NULL), 0) AS attack_error
FROM image_outcomes o
LEFT JOIN models m ON m.id = o.model_id
GROUP BY o.sweep_id, o.model_id, m.kind, m.sigma, m.epsilon;

-- The outcome listing (api: GET /api/sweeps/{id}/outcomes) filters by model, success and class and
-- sorts by a whitelisted column; these indexes serve the model-filtered pages the dashboard asks for
-- (the primary key serves the default order, model then image).
CREATE INDEX image_outcomes_label ON image_outcomes (sweep_id, model_id, label, image_index);
CREATE INDEX image_outcomes_attack_radius
  ON image_outcomes (sweep_id, model_id, attack_radius DESC NULLS LAST, image_index);
CREATE INDEX image_outcomes_natural_radius
  ON image_outcomes (sweep_id, model_id, natural_radius DESC NULLS LAST, image_index);
-- Success by target class reads one model's results through job_results_image (sweep, model, image):
-- no extra index on job_results, whose every insert an index would slow down.

-- A read-only role for dashboards: SELECT on the views, nothing else. Created when missing, if the
-- migrating user may create roles; otherwise a notice says so and an administrator creates it
-- (CREATE ROLE shadowfleet_reader NOLOGIN) and re-runs the GRANT below.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'shadowfleet_reader') THEN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_user AND (rolcreaterole OR rolsuper)) THEN
      CREATE ROLE shadowfleet_reader NOLOGIN;
    ELSE
      RAISE NOTICE 'role shadowfleet_reader not created: % may not create roles', current_user;
    END IF;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'shadowfleet_reader') THEN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO shadowfleet_reader', current_schema());
    GRANT SELECT ON v_sweep_progress, v_image_outcomes, v_model_summary TO shadowfleet_reader;
  END IF;
END
$$;

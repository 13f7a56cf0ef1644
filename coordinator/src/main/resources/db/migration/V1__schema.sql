-- ShadowFleet coordinator schema. Owned by the coordinator; changed only by new migrations.
-- Identifiers that take part in ordering or prefix queries use COLLATE "C" so that their order is the
-- byte order (the same order as Java's String.compareTo for the ASCII ids used here).

-- Registered models. The card is stored as given; the columns below are what the API filters on.
CREATE TABLE models (
  id            text COLLATE "C" PRIMARY KEY,
  kind          text NOT NULL CHECK (kind IN ('smoothed', 'ibp')),
  sigma         double precision,
  epsilon       double precision,
  channels      integer NOT NULL CHECK (channels > 0),
  num_classes   integer NOT NULL CHECK (num_classes > 1),
  sha256        char(64) NOT NULL,
  card          jsonb NOT NULL,
  registered_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind = 'smoothed' AND sigma > 0 AND epsilon IS NULL) OR (kind = 'ibp' AND epsilon > 0 AND sigma IS NULL))
);

-- Sweeps. spec is the validated request (models, images, targets, preset, overrides, certifier settings).
-- Fan-out cursor: jobs with seq < published_jobs are on Kafka (the relay advances it after the broker
-- acknowledged them). control_pending: a SweepControl message (cancellation) still has to be published.
CREATE TABLE sweeps (
  id              text COLLATE "C" PRIMARY KEY,
  state           text NOT NULL CHECK (state IN ('ACTIVE', 'COMPLETED', 'CANCELLED')),
  dataset_uri     text NOT NULL,
  preset          text NOT NULL,
  priority        integer NOT NULL,
  spec            jsonb NOT NULL,
  total_jobs      bigint NOT NULL CHECK (total_jobs > 0),
  published_jobs  bigint NOT NULL DEFAULT 0 CHECK (published_jobs BETWEEN 0 AND total_jobs),
  control_pending boolean NOT NULL DEFAULT false,
  created_at      timestamptz NOT NULL DEFAULT now(),
  cancelled_at    timestamptz,
  completed_at    timestamptz
);
CREATE INDEX sweeps_created ON sweeps (created_at DESC, id);
-- The relay's work list: sweeps with jobs left to publish or a control message to send.
CREATE INDEX sweeps_relay ON sweeps (priority DESC, created_at) WHERE state = 'ACTIVE';

-- Job counts per state, kept by the same transactions that change job states (submit, cancel,
-- ingestion), so progress is one row read even for a million-job sweep. A separate table keeps the
-- ingestion's counter updates off the row the relay locks.
CREATE TABLE sweep_progress (
  sweep_id  text COLLATE "C" PRIMARY KEY REFERENCES sweeps (id),
  queued    bigint NOT NULL DEFAULT 0,
  running   bigint NOT NULL DEFAULT 0,
  done      bigint NOT NULL DEFAULT 0,
  skipped   bigint NOT NULL DEFAULT 0,
  failed    bigint NOT NULL DEFAULT 0,
  cancelled bigint NOT NULL DEFAULT 0
);

-- One row per job: (sweep, model, image, target). id = AttackJob.idOf(...) = sweep/model/image/target.
-- seq numbers the jobs of a sweep image-major (all targets of one image are consecutive); the relay
-- publishes them in seq order. No foreign keys here: rows are generated in bulk from a validated sweep
-- in the sweep's own transaction, and per-row FK checks would double the insert time of large sweeps.
CREATE TABLE jobs (
  id          text COLLATE "C" PRIMARY KEY,
  sweep_id    text COLLATE "C" NOT NULL,
  seq         bigint NOT NULL,
  model_id    text COLLATE "C" NOT NULL,
  image_index integer NOT NULL,
  target      integer NOT NULL,
  state       text NOT NULL CHECK (state IN ('QUEUED', 'RUNNING', 'DONE', 'FAILED', 'CANCELLED', 'SKIPPED')),
  attempts    integer NOT NULL DEFAULT 0,
  reason      text
);
CREATE UNIQUE INDEX jobs_sweep_seq ON jobs (sweep_id, seq);
CREATE INDEX jobs_sweep_state ON jobs (sweep_id, state);

-- One stored result per job (the idempotent sink: INSERT ... ON CONFLICT (job_id) DO NOTHING).
-- result is the canonical JSON of the JobResult without images; images (base64 PNGs) are kept apart.
-- The typed columns are what summaries, views and the dashboard read.
CREATE TABLE job_results (
  job_id            text COLLATE "C" PRIMARY KEY,
  sweep_id          text COLLATE "C" NOT NULL,
  model_id          text COLLATE "C" NOT NULL,
  image_index       integer NOT NULL,
  target            integer NOT NULL,
  status            text NOT NULL CHECK (status IN ('DONE', 'SKIPPED_ABSTAIN', 'CANCELLED')),
  attempt           integer NOT NULL,
  worker_id         text NOT NULL,
  label             integer NOT NULL,
  natural_label     integer,
  natural_certified boolean,
  natural_radius    double precision,
  natural_method    text,
  attack_label      integer,
  attack_certified  boolean,
  attack_radius     double precision,
  attack_method     text,
  success           boolean NOT NULL,
  targeted_success  boolean NOT NULL,
  spoof_loss        double precision,
  tv                double precision,
  color             double precision,
  dissim            double precision,
  delta_l2          double precision,
  delta_linf        double precision,
  steps             integer NOT NULL,
  wall_millis       bigint NOT NULL,
  compute_seconds   double precision NOT NULL,
  result            jsonb NOT NULL,
  images            jsonb,
  ingested_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX job_results_image ON job_results (sweep_id, model_id, image_index);
CREATE INDEX job_results_recent ON job_results (sweep_id, ingested_at);

-- Best outcome per (sweep, model, image) by common's BestOutcome order. rank_key encodes that order
-- as bytes (smaller = better); the ingestion replaces the row only for a strictly smaller key, so the
-- row is the same whatever order results arrive in. results counts the stored results of the image.
CREATE TABLE image_outcomes (
  sweep_id          text COLLATE "C" NOT NULL,
  model_id          text COLLATE "C" NOT NULL,
  image_index       integer NOT NULL,
  best_job_id       text COLLATE "C" NOT NULL,
  target            integer NOT NULL,
  status            text NOT NULL,
  label             integer NOT NULL,
  success           boolean NOT NULL,
  targeted_success  boolean NOT NULL,
  natural_label     integer,
  natural_certified boolean,
  natural_radius    double precision,
  attack_label      integer,
  attack_certified  boolean,
  attack_radius     double precision,
  attack_method     text,
  spoof_loss        double precision,
  tv                double precision,
  results           integer NOT NULL,
  rank_key          bytea NOT NULL,
  PRIMARY KEY (sweep_id, model_id, image_index)
);
CREATE INDEX image_outcomes_success ON image_outcomes (sweep_id, model_id, success);

-- Measured compute seconds per (model, preset), for the cost estimate of new sweeps.
CREATE TABLE job_costs (
  model_id        text COLLATE "C" NOT NULL,
  preset          text NOT NULL,
  jobs            bigint NOT NULL,
  compute_seconds double precision NOT NULL,
  PRIMARY KEY (model_id, preset)
);

-- The relay's list of pending control messages (cancellations).
CREATE INDEX sweeps_control_pending ON sweeps (id) WHERE control_pending;

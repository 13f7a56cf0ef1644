package dev.shadowfleet.coordinator;

import dev.shadowfleet.common.message.AttackJob;
import dev.shadowfleet.common.message.Certificate;
import dev.shadowfleet.common.message.JobResult;
import dev.shadowfleet.common.message.JobStatus;
import dev.shadowfleet.common.message.MessageCodec;
import java.util.Random;

/**
 * Random but valid results, drawn from small sets of values so that ties (equal radius, equal loss)
 * are common and the tie-breaks of the best-per-image order are exercised.
 */
final class Results {
  private static final double[] RADII = {0.0, 0.125, 0.25, 0.5};
  private static final double[] LOSSES = {0.5, 1.0, 2.0};
  private static final double[] TVS = {0.01, 0.02};

  private Results() {}

  /** The image's label in these tests. */
  static int label(int imageIndex) {
    return imageIndex % 10;
  }

  static JobResult random(AttackJob job, Random rnd, boolean ibp) {
    String method = ibp ? "ibp" : "rs";
    int label = label(job.imageIndex());
    double p = rnd.nextDouble();
    JobStatus status = p < 0.8 ? JobStatus.DONE : p < 0.93 ? JobStatus.SKIPPED_ABSTAIN : JobStatus.CANCELLED;
    Certificate natural =
        status == JobStatus.CANCELLED ? null
            : status == JobStatus.SKIPPED_ABSTAIN ? new Certificate(-1, false, 0, 0.4, 40, 100, null, method)
            : new Certificate(label, true, RADII[rnd.nextInt(RADII.length)], 0.9, 90, 100, null, method);
    Certificate attack = null;
    boolean success = false;
    Double loss = null;
    Double tv = null;
    if (status == JobStatus.DONE) {
      success = rnd.nextBoolean();
      String m = !ibp && rnd.nextInt(5) == 0 ? "rs-screening" : method;
      int attackLabel = success ? job.target() : label;
      double radius = success ? RADII[1 + rnd.nextInt(RADII.length - 1)] : RADII[rnd.nextInt(RADII.length)];
      attack = new Certificate(attackLabel, success, radius, 0.8, 80, 100, null, m);
      loss = rnd.nextInt(6) == 0 ? null : LOSSES[rnd.nextInt(LOSSES.length)];
      tv = rnd.nextInt(6) == 0 ? null : TVS[rnd.nextInt(TVS.length)];
    }
    return new JobResult(
        MessageCodec.SCHEMA_VERSION, job.jobId(), job.sweepId(), job.modelId(), job.imageIndex(), job.target(),
        job.attempt(), "fake-worker", status, label, natural, attack, success, success && rnd.nextBoolean(),
        loss, tv, tv == null ? null : 0.1, null, 1.5, 0.1, 20, 1000, 0.75 + rnd.nextInt(4) * 0.25, null,
        rnd.nextInt(4) == 0 ? new JobResult.ResultImages("iVBORw0KGgo=", "iVBORw0KGgo=", "iVBORw0KGgo=") : null, null);
  }

  /** The same result, moved to another sweep (same model, image, target). */
  static JobResult inSweep(JobResult r, String sweepId) {
    return new JobResult(
        r.schemaVersion(), AttackJob.idOf(sweepId, r.modelId(), r.imageIndex(), r.target()), sweepId, r.modelId(),
        r.imageIndex(), r.target(), r.attempt(), r.workerId(), r.status(), r.label(), r.natural(), r.attack(),
        r.success(), r.targetedSuccess(), r.spoofLoss(), r.tv(), r.color(), r.dissim(), r.deltaL2(), r.deltaLinf(),
        r.steps(), r.wallMillis(), r.computeSeconds(), r.provenance(), r.images(), r.failureReason());
  }
}

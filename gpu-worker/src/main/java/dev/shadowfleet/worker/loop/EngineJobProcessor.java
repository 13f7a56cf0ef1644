package dev.shadowfleet.worker.loop;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.shadowfleet.common.config.AttackParams;
import dev.shadowfleet.common.config.AttackPreset;
import dev.shadowfleet.common.config.BoundMethod;
import dev.shadowfleet.common.config.IbpParams;
import dev.shadowfleet.common.config.SmoothingParams;
import dev.shadowfleet.common.message.AttackJob;
import dev.shadowfleet.common.message.Certificate;
import dev.shadowfleet.common.message.JobResult;
import dev.shadowfleet.common.message.JobStatus;
import dev.shadowfleet.common.message.MessageCodec;
import dev.shadowfleet.common.message.Provenance;
import dev.shadowfleet.worker.engine.attack.AttackRunner;
import dev.shadowfleet.worker.engine.attack.Certifiers;
import dev.shadowfleet.worker.engine.attack.ImageOutcome;
import dev.shadowfleet.worker.engine.attack.ShadowAttack;
import dev.shadowfleet.worker.engine.attack.TargetOutcome;
import dev.shadowfleet.worker.engine.data.Dataset;
import dev.shadowfleet.worker.engine.data.DatasetCache;
import dev.shadowfleet.worker.engine.model.LoadedModel;
import dev.shadowfleet.worker.engine.model.ModelCache;
import dev.shadowfleet.worker.engine.model.ModelException;
import dev.shadowfleet.common.outcome.BestOutcome;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The engine behind the loop: for one image batch, the model from the {@link ModelCache} (checksum
 * verified on load), the image from the {@link DatasetCache}, then {@link AttackRunner} (certify the
 * natural image, attack all targets together, certify the x'), mapped to one {@link JobResult} per
 * job. Refuses before any compute what cannot give a meaningful answer: unknown model or checksum
 * mismatch, image out of range, shapes that do not fit, invalid parameters (the whole batch, {@link
 * PermanentJobException}); a target outside the classes (that job FAILED). A target equal to the
 * image's label (a sweep over all targets asks for it) is answered SKIPPED_LABEL without compute.
 *
 * <p>Jobs of a batch that differ in preset, overrides, seed or certifier settings run as separate
 * attacks; the coordinator gives the targets of one image the same seed so the result of a job does
 * not depend on how the targets were batched.
 */
public final class EngineJobProcessor implements JobProcessor {
  private final ModelCache models;
  private final DatasetCache datasets;
  private final String workerId;
  private final String device;
  private final Map<String, String> versions;
  private final int maxImageBytes;

  public EngineJobProcessor(ModelCache models, DatasetCache datasets, String workerId, String device) {
    this(models, datasets, workerId, device, ResultPngs.MAX_BYTES);
  }

  /** @param maxImageBytes limit of a result's base64 PNGs ({@link ResultPngs}); 0 sends none */
  public EngineJobProcessor(ModelCache models, DatasetCache datasets, String workerId, String device,
      int maxImageBytes) {
    this.maxImageBytes = maxImageBytes;
    this.models = models;
    this.datasets = datasets;
    this.workerId = workerId;
    this.device = device;
    this.versions = Map.of(
        "djl", ai.djl.engine.Engine.getDjlVersion(),
        "pytorch", ai.djl.engine.Engine.getInstance().getVersion(),
        "java", Runtime.version().toString());
  }

  @Override
  public List<JobResult> process(List<AttackJob> batch, CancellationSignal cancellation) {
    AttackJob first = batch.get(0);
    LoadedModel model = model(first);
    Dataset data = dataset(first, model);
    int label = data.label(first.imageIndex());
    Map<String, JobResult> byId = new LinkedHashMap<>();
    Map<String, float[]> adversarial = new HashMap<>();
    Map<List<Object>, List<AttackJob>> groups = new LinkedHashMap<>();
    int classes = model.card().numClasses();
    for (AttackJob j : batch) {
      if (j.target() == label) {
        byId.put(j.jobId(), JobResult.skippedLabel(j, workerId, label));
      } else if (j.target() >= classes) {
        byId.put(j.jobId(), JobResult.failed(j, workerId, "target",
            "`target` must be in [0, " + classes + "), got " + j.target(), 0));
      } else {
        groups.computeIfAbsent(List.of(j.preset(), j.overrides(), j.seed(),
            Objects.toString(j.smoothing()), Objects.toString(j.ibp())), k -> new ArrayList<>()).add(j);
      }
    }
    for (List<AttackJob> group : groups.values()) {
      cancellation.throwIfCancelled();
      run(model, data, label, group, adversarial).forEach(r -> byId.put(r.jobId(), r));
    }
    withImages(byId, adversarial, model, data, first.imageIndex());
    return batch.stream().map(j -> byId.get(j.jobId())).toList();
  }

  /**
   * Puts the PNGs on the batch's best result (BestOutcome's order): the coordinator's best of the image
   * is the best of one of its batches, so it always has them, and an image costs one set of PNGs.
   */
  private void withImages(Map<String, JobResult> byId, Map<String, float[]> adversarial, LoadedModel model,
      Dataset data, int imageIndex) {
    List<JobResult> ran = byId.values().stream()
        .filter(r -> r.status() == JobStatus.DONE || r.status() == JobStatus.SKIPPED_ABSTAIN).toList();
    JobResult best = BestOutcome.of(ran).orElse(null);
    if (best == null || maxImageBytes <= 0) {
      return;
    }
    float[] natural;
    try (NDManager scope = model.manager().newSubManager()) {
      natural = data.image(scope, imageIndex).toFloatArray();
    }
    float[] adv = best.status() == JobStatus.DONE ? adversarial.get(best.jobId()) : null;
    JobResult.ResultImages images = ResultPngs.of(natural, adv, data.channels(), data.height(), data.width(),
        maxImageBytes);
    byId.put(best.jobId(), best.withImages(images));
  }

  private List<JobResult> run(LoadedModel model, Dataset data, int label, List<AttackJob> jobs,
      Map<String, float[]> adversarial) {
    AttackJob job = jobs.get(0);
    AttackParams params = AttackPreset.byId(job.preset()).resolve(job.overrides()).withSeed(job.seed());
    boolean ibp = model.card().kind().isIbp();
    SmoothingParams smoothing = job.smoothing() != null ? job.smoothing() : SmoothingParams.PAPER;
    IbpParams bounds = job.ibp() != null ? job.ibp() : IbpParams.DEFAULT;
    AttackRunner runner = new AttackRunner(new ShadowAttack(params, model.attackClassifier()),
        Certifiers.forModel(model, smoothing, bounds), smoothing.mode(), ibp);
    int[] targets = jobs.stream().mapToInt(AttackJob::target).toArray();
    long start = System.nanoTime();
    ImageOutcome o;
    try (NDManager scope = model.manager().newSubManager()) {
      NDArray x = data.image(scope, job.imageIndex());
      o = runner.run(x, label, targets, job.seed());
    }
    long wallMillis = (System.nanoTime() - start) / 1_000_000;
    double computeSeconds = wallMillis / 1000.0 / jobs.size();
    String method = ibp ? (bounds.method() == BoundMethod.CROWN_IBP ? "crown-ibp" : "ibp") : "rs";
    Certificate natural = message(o.natural(), method, ibp);
    Provenance provenance = new Provenance(params, ibp ? null : smoothing, ibp ? bounds : null,
        job.seed(), o.certifySeed(), model.card().sha256(), device, versions);
    List<JobResult> out = new ArrayList<>();
    for (int i = 0; i < jobs.size(); i++) {
      AttackJob j = jobs.get(i);
      if (o.skipped()) {
        out.add(JobResult.skippedAbstain(j, workerId, label, natural, wallMillis, computeSeconds, provenance));
        continue;
      }
      TargetOutcome t = o.targets().get(i);
      adversarial.put(j.jobId(), t.attack().adversarial());
      if (Double.isNaN(t.attack().loss().spoof()) || Double.isNaN(t.attack().loss().total())) {
        out.add(JobResult.failed(j, workerId, "spoofLoss", "the spoofing loss is NaN after "
            + t.attack().steps() + " steps (learning rate too large?)", wallMillis));
        continue;
      }
      boolean screening = t.full() == null;
      Certificate attack = message(t.decisive(), screening ? method + "-screening" : method, ibp);
      boolean success = t.success(label);
      var loss = t.attack().loss();
      out.add(new JobResult(MessageCodec.SCHEMA_VERSION, j.jobId(), j.sweepId(), j.modelId(),
          j.imageIndex(), j.target(), j.attempt(), workerId, JobStatus.DONE, label, natural, attack,
          success, success && t.decisive().label() == j.target(), loss.spoof(), loss.tv(), loss.color(),
          loss.dissim(), t.attack().l2(), t.attack().linf(), t.attack().steps(), wallMillis,
          computeSeconds, provenance, null, null));
    }
    return out;
  }

  private LoadedModel model(AttackJob job) {
    LoadedModel model;
    try {
      // With the registered checksum, the file is verified before anything of it is loaded.
      model = job.modelSha256() == null ? models.get(job.modelId()) : models.get(job.modelId(), job.modelSha256());
    } catch (dev.shadowfleet.worker.engine.model.ModelChecksumException e) {
      throw new PermanentJobException("modelSha256", e.getMessage(), e);
    } catch (ModelException e) {
      throw new PermanentJobException("modelId", e.getMessage(), e);
    }
    if (job.modelSha256() != null && !job.modelSha256().equalsIgnoreCase(model.card().sha256())) {
      throw new PermanentJobException("modelSha256", "the job expects model " + job.modelId()
          + " with SHA-256 " + job.modelSha256() + ", this worker's registry has " + model.card().sha256());
    }
    return model;
  }

  private Dataset dataset(AttackJob job, LoadedModel model) {
    Dataset data = datasets.get(job.datasetUri());
    if (job.imageIndex() >= data.size()) {
      throw new PermanentJobException("imageIndex", "`imageIndex` must be in [0, " + data.size()
          + ") for " + job.datasetUri() + ", got " + job.imageIndex());
    }
    List<Integer> shape = model.card().inputShape();
    if (data.channels() != shape.get(0) || data.height() != shape.get(1) || data.width() != shape.get(2)) {
      throw new PermanentJobException("datasetUri", job.datasetUri() + " has images "
          + List.of(data.channels(), data.height(), data.width()) + " but model " + job.modelId()
          + " takes " + shape);
    }
    return data;
  }

  private static Certificate message(
      dev.shadowfleet.worker.engine.attack.Certificate c, String method, boolean ibp) {
    double radius = Double.isFinite(c.radius()) ? Math.max(0, c.radius()) : 0;
    return new Certificate(c.abstained() ? Certificate.ABSTAIN : c.label(), c.issued(), radius,
        ibp ? null : c.pALower(), null, ibp ? null : (int) c.samples(), ibp ? c.pALower() : null, method);
  }
}

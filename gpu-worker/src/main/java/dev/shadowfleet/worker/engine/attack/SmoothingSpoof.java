package dev.shadowfleet.worker.engine.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.training.GradientCollector;
import dev.shadowfleet.worker.engine.autograd.Scalars;
import dev.shadowfleet.worker.engine.model.Classifier;
import dev.shadowfleet.worker.engine.model.NoisyLogits;
import java.util.ArrayList;
import java.util.List;

/**
 * L_spoof against randomized smoothing (paper §3): (1/B) Σ_b CE(f(x + δ + η_b), t). The B noise
 * images η (B×C×H×W, N(0, σ²) in [0,1] pixel space) are shared by every target of the image; the
 * noisy input is not clipped (Cohen et al. do not clip either). The logits come from the classifier's
 * {@link NoisyLogits}, which may keep per-noise work for the life of this loss.
 */
final class SmoothingSpoof implements SpoofingLoss {
  private final NDArray noise;
  private final NoisyLogits logits;

  SmoothingSpoof(Classifier model, NDArray noise) {
    this.noise = noise;
    this.logits = model.aroundNoise(noise);
  }

  @Override
  public int samplesPerTarget() {
    return (int) noise.getShape().get(0);
  }

  @Override
  public NDArray sampleLosses(List<Segment> segments) {
    List<NDArray> parts = new ArrayList<>();
    int n = 0;
    for (Segment s : segments) {
      parts.add(logits.logits(s.center(), s.from(), s.to()));
      n += s.to() - s.from();
    }
    int[] labels = new int[n];
    int i = 0;
    for (Segment s : segments) {
      for (int b = s.from(); b < s.to(); b++) {
        labels[i++] = s.target();
      }
    }
    NDArray batch = parts.size() == 1 ? parts.get(0) : NDArrays.concat(new NDList(parts));
    return Scalars.div(SpoofingLoss.crossEntropy(batch, labels), samplesPerTarget());
  }

  @Override
  public void backward(GradientCollector gc, NDArray losses) {
    logits.backward(gc, losses.sum());
  }

  /** Frees what the classifier kept of the noise. */
  @Override
  public void close() {
    logits.close();
  }
}

package dev.shadowfleet.worker.cli;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.shadowfleet.common.config.CertifyMode;
import dev.shadowfleet.common.config.SmoothingParams;
import dev.shadowfleet.worker.engine.EngineCheck;
import dev.shadowfleet.worker.engine.certify.RandomizedSmoothingCertifier;
import dev.shadowfleet.worker.engine.model.Classifier;
import dev.shadowfleet.worker.engine.model.ModelCard;
import dev.shadowfleet.worker.engine.model.ModelKind;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import java.util.zip.GZIPInputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code shadowfleet bench-certify}: randomized-smoothing certification throughput (noisy samples
 * classified per second) of a TorchScript model on Fashion-MNIST test images. Prints one JSON line
 * per mode: {@code per-image} certifies the images one after the other (as the Python reference
 * does), {@code stacked} certifies them all in one call (noise of every image in each forward pass,
 * as the worker does for an image and its attacked versions).
 */
@Command(
    name = "bench-certify",
    mixinStandardHelpOptions = true,
    description = "Measure randomized-smoothing certification throughput (samples/s).")
public final class BenchCertifyCommand implements Callable<Integer> {

  @Option(names = "--model", required = true, description = "TorchScript file: [0,1] pixels in, logits out.")
  Path model;

  @Option(names = "--images-file", defaultValue = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz",
      description = "idx3 image file (gzip) to take the first --images images from (default: ${DEFAULT-VALUE}).")
  Path imagesFile;

  @Option(names = "--images", defaultValue = "5", description = "Images to certify (default: ${DEFAULT-VALUE}).")
  int images;

  @Option(names = "--sigma", defaultValue = "0.25", description = "Noise level σ (default: ${DEFAULT-VALUE}).")
  double sigma;

  @Option(names = "--n0", defaultValue = "100", description = "Selection samples (default: ${DEFAULT-VALUE}).")
  int n0;

  @Option(names = "--n", defaultValue = "10000", description = "Estimation samples (default: ${DEFAULT-VALUE}).")
  int n;

  @Option(names = "--alpha", defaultValue = "0.001", description = "Failure probability (default: ${DEFAULT-VALUE}).")
  double alpha;

  @Option(names = "--batch", defaultValue = "1000", description = "Noisy samples per forward pass (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--threads", defaultValue = "1",
      description = "PyTorch intra-op threads; inter-op threads are set to 1 (default: ${DEFAULT-VALUE}).")
  int threads;

  @Override
  public Integer call() throws Exception {
    if (threads < 1) {
      throw new IllegalArgumentException("--threads must be ≥ 1, got " + threads);
    }
    // Read by the PyTorch engine when it starts: must be set before the first Engine call.
    System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    if (!EngineCheck.ready("bench-certify", System.err)) {
      return 1;
    }
    SmoothingParams params = new SmoothingParams(n0, n, alpha, batch, CertifyMode.CERTIFY_ALL);
    float[] pixels = readImages(imagesFile, images);
    try (Model m = Model.newInstance("bench", Device.cpu(), "PyTorch");
        NDManager manager = NDManager.newBaseManager()) {
      m.load(model);
      Classifier classifier = new Loaded(m, card(model.toString(), sigma));
      RandomizedSmoothingCertifier certifier = new RandomizedSmoothingCertifier(classifier, sigma);
      NDArray x = manager.create(pixels, new Shape(images, 1, 28, 28));
      // Warm-up (first forward passes load kernels and allocate).
      certifier.certify(x.get("0:1"), new SmoothingParams(n0, 2 * batch, alpha, batch, CertifyMode.CERTIFY_ALL), 1);
      long t0 = System.nanoTime();
      for (int i = 0; i < images; i++) {
        certifier.certify(x.get(i + ":" + (i + 1)), params, i);
      }
      report("per-image", t0, params);
      long t1 = System.nanoTime();
      certifier.certify(x, params, 0);
      report("stacked", t1, params);
    }
    return 0;
  }

  private void report(String mode, long start, SmoothingParams params) {
    double seconds = (System.nanoTime() - start) / 1e9;
    long samples = (long) images * (params.n0() + params.n());
    System.out.printf(
        "{\"impl\":\"shadowfleet\",\"mode\":\"%s\",\"engine\":\"%s %s\",\"threads\":%d,\"batch\":%d,"
            + "\"images\":%d,\"samples\":%d,\"seconds\":%.3f,\"samplesPerSecond\":%.1f}%n",
        mode, Engine.getInstance().getEngineName(), Engine.getInstance().getVersion(), threads, batch,
        images, samples, seconds, samples / seconds);
  }

  private static ModelCard card(String id, double sigma) {
    return new ModelCard(id, ModelCard.TORCHSCRIPT, id, null, List.of(1, 28, 28), null, null,
        IntStream.range(0, 10).mapToObj(Integer::toString).toList(), ModelKind.smoothed(sigma), null, null, null);
  }

  /** First {@code count} images of an idx3 file, as [0,1] floats. */
  public static float[] readImages(Path file, int count) throws IOException {
    try (InputStream raw = Files.newInputStream(file);
        DataInputStream in = new DataInputStream(new GZIPInputStream(raw))) {
      int magic = in.readInt();
      int total = in.readInt();
      int rows = in.readInt();
      int cols = in.readInt();
      if (magic != 0x803 || rows != 28 || cols != 28 || count > total) {
        throw new IOException(file + ": not a 28×28 idx3 file with ≥ " + count + " images");
      }
      byte[] bytes = new byte[count * 784];
      in.readFully(bytes);
      float[] out = new float[bytes.length];
      for (int i = 0; i < bytes.length; i++) {
        out[i] = (bytes[i] & 0xff) / 255f;
      }
      return out;
    }
  }

  /** A TorchScript module as a classifier (normalization inside the module). */
  private record Loaded(Model model, ModelCard card) implements Classifier {
    @Override
    public NDArray logits(NDArray pixels) {
      return model.getBlock()
          .forward(new ParameterStore(pixels.getManager(), false), new NDList(pixels), false)
          .singletonOrThrow();
    }
  }
}

package dev.shadowfleet.worker.engine.train;

import static dev.shadowfleet.common.config.ParameterException.require;

/**
 * One training run. Smoothed base classifiers ({@code sigma} set) train on Gaussian noise added in [0,1]
 * pixel space; IBP networks ({@code epsilon} set) follow Zhang et al. (2020): ε ramps linearly from 0
 * to {@code trainEpsilon} over {@code rampEpochs} after {@code warmupEpochs} of natural training, while
 * κ (weight of the natural loss) goes from 1 to {@code kappaEnd}.
 *
 * @param id model id (card file name)
 * @param trainUri training dataset URI, e.g. {@code fashion-mnist:train}
 * @param testUri held-out dataset URI for the card's metrics, e.g. {@code fashion-mnist:test}
 * @param arch architecture name ({@link Architectures})
 * @param sigma noise σ for a smoothed base classifier, else null
 * @param epsilon ℓ∞ radius for an IBP network, else null
 * @param epochs passes over the training set
 * @param batchSize examples per step
 * @param optimizer {@code adam} or {@code sgd} (SGD with momentum 0.9)
 * @param learningRate step size (decayed ×0.1 for the last 20% of steps)
 * @param seed seeds initialization, shuffling and noise
 * @param trainLimit use only the first N training images (0 = all)
 * @param testLimit evaluate on the first N test images (0 = all)
 * @param warmupEpochs IBP: natural epochs before the ramp
 * @param rampEpochs IBP: epochs over which ε and κ move linearly
 * @param trainEpsilon IBP: ε at the end of the ramp (≥ epsilon; Zhang et al. train at a slightly larger ε)
 * @param kappaEnd IBP: final weight of the natural loss (1 → kappaEnd)
 */
public record TrainConfig(
    String id,
    String trainUri,
    String testUri,
    String arch,
    Double sigma,
    Double epsilon,
    int epochs,
    int batchSize,
    String optimizer,
    double learningRate,
    long seed,
    int trainLimit,
    int testLimit,
    double warmupEpochs,
    double rampEpochs,
    Double trainEpsilon,
    double kappaEnd) {

  public TrainConfig {
    require(id != null && id.matches("[A-Za-z0-9][A-Za-z0-9._-]*"), "id", "a model id", id);
    require(trainUri != null && !trainUri.isBlank(), "trainUri", "a dataset URI", trainUri);
    require(testUri != null && !testUri.isBlank(), "testUri", "a dataset URI", testUri);
    require(Architectures.NAMES.contains(arch), "arch", "one of " + Architectures.NAMES, arch);
    require((sigma == null) != (epsilon == null), "sigma", "set for a smoothed model, or epsilon for an IBP model"
        + " (exactly one)", sigma + "/" + epsilon);
    require(sigma == null || (sigma > 0 && sigma <= 4), "sigma", "in (0, 4]", sigma);
    require(epsilon == null || (epsilon > 0 && epsilon < 1), "epsilon", "in (0, 1)", epsilon);
    require(epochs >= 1, "epochs", "≥ 1", epochs);
    require(batchSize >= 1, "batchSize", "≥ 1", batchSize);
    require("adam".equals(optimizer) || "sgd".equals(optimizer), "optimizer", "adam or sgd", optimizer);
    require(learningRate > 0 && learningRate < 10, "learningRate", "in (0, 10)", learningRate);
    require(trainLimit >= 0, "trainLimit", "≥ 0", trainLimit);
    require(testLimit >= 0, "testLimit", "≥ 0", testLimit);
    require(warmupEpochs >= 0, "warmupEpochs", "≥ 0", warmupEpochs);
    require(rampEpochs >= 0, "rampEpochs", "≥ 0", rampEpochs);
    if (epsilon != null) {
      require(warmupEpochs + rampEpochs <= epochs, "rampEpochs", "such that warmupEpochs + rampEpochs ≤ epochs ("
          + epochs + ")", rampEpochs);
      trainEpsilon = trainEpsilon == null ? epsilon : trainEpsilon;
      require(trainEpsilon >= epsilon && trainEpsilon < 1, "trainEpsilon", "in [epsilon, 1)", trainEpsilon);
    }
    require(kappaEnd >= 0 && kappaEnd <= 1, "kappaEnd", "in [0, 1]", kappaEnd);
  }

  public boolean isIbp() {
    return epsilon != null;
  }
}

package dev.shadowfleet.common.config;

import static dev.shadowfleet.common.config.ParameterException.require;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Every parameter of one Shadow Attack run (ALGORITHM.md), validated when built. Paper defaults are
 * in {@link AttackPreset}; a job names a preset and overrides single fields ({@link
 * AttackPreset#resolve}).
 *
 * @param steps gradient-descent steps on J(δ) (paper: 300; ablation §4: 30)
 * @param learningRate step size of plain gradient descent δ ← δ − lr·∇J (paper RS: 0.1; IBP: 200)
 * @param lambdaTv weight of the total-variation penalty TV(δ) (paper RS: 0.3; IBP: 0.000009)
 * @param lambdaC weight of the colour penalty C(δ) (paper RS: 1.0; ablation: 20; IBP: 0.02)
 * @param lambdaS weight of the channel-dissimilarity penalty, 3-channel mode only (paper: 0.5)
 * @param noiseBatch B, Gaussian copies averaged in the randomized-smoothing spoofing loss (paper: 400)
 * @param sigma σ of the attack's noise; {@code null} means the model's σ (randomized smoothing only)
 * @param sigmaOverride allow a σ different from the model's σ (refused otherwise)
 * @param epsilon ℓ∞ radius of the IBP box; {@code null} means the model's ε (IBP only)
 * @param boundMethod IBP or CROWN-IBP margin bounds in the IBP spoofing loss
 * @param beta CROWN-IBP mixing weight: β·CROWN-IBP + (1−β)·IBP, in [0,1]
 * @param spoofLoss robust (certified-training) cross-entropy, or plain cross-entropy (IBP only)
 * @param channelMode 1-channel (grey δ repeated over channels) or 3-channel δ
 * @param colorPenalty variant of C(δ): paper L2, authors' code L2_SQUARED, or §5's DELTA_L2
 * @param init initial δ: Uniform[−0.5,0.5] (authors' code) or zero
 * @param resampleNoise fresh noise draws every step (default off: drawn once, as the authors' code)
 * @param seed seed of δ's init and of the attack's noise draws
 * @param microBatch largest number of samples in one forward/backward pass; gradients are
 *     accumulated over micro-batches (a tuned setting: 400 is fastest on CPU for the bundled
 *     Fashion-MNIST CNNs; the attack lowers it for large images so one pass stays bounded)
 * @param trace record loss, TV, C and Dissim at every step (paper Figures 4–6)
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record AttackParams(
    int steps,
    double learningRate,
    double lambdaTv,
    double lambdaC,
    double lambdaS,
    int noiseBatch,
    Double sigma,
    boolean sigmaOverride,
    Double epsilon,
    BoundMethod boundMethod,
    double beta,
    SpoofLoss spoofLoss,
    ChannelMode channelMode,
    ColorPenalty colorPenalty,
    DeltaInit init,
    boolean resampleNoise,
    long seed,
    int microBatch,
    boolean trace) {

  /** Upper limits that keep one job bounded; beyond them a sweep is almost surely a typo. */
  public static final int MAX_STEPS = 100_000;

  public static final int MAX_NOISE_BATCH = 100_000;

  public AttackParams {
    require(steps >= 1 && steps <= MAX_STEPS, "steps", "in [1, " + MAX_STEPS + "]", steps);
    require(finite(learningRate) && learningRate > 0, "learningRate", "> 0 and finite", learningRate);
    require(finite(lambdaTv) && lambdaTv >= 0, "lambdaTv", "≥ 0 and finite", lambdaTv);
    require(finite(lambdaC) && lambdaC >= 0, "lambdaC", "≥ 0 and finite", lambdaC);
    require(finite(lambdaS) && lambdaS >= 0, "lambdaS", "≥ 0 and finite", lambdaS);
    require(
        noiseBatch >= 1 && noiseBatch <= MAX_NOISE_BATCH,
        "noiseBatch",
        "in [1, " + MAX_NOISE_BATCH + "]",
        noiseBatch);
    require(sigma == null || (finite(sigma) && sigma > 0), "sigma", "> 0 (or absent)", sigma);
    require(
        epsilon == null || (finite(epsilon) && epsilon > 0 && epsilon < 1),
        "epsilon",
        "in (0, 1) (or absent)",
        epsilon);
    require(boundMethod != null, "boundMethod", "one of IBP, CROWN_IBP", boundMethod);
    require(finite(beta) && beta >= 0 && beta <= 1, "beta", "in [0, 1]", beta);
    require(spoofLoss != null, "spoofLoss", "one of ROBUST_CE, PLAIN_CE", spoofLoss);
    require(channelMode != null, "channelMode", "one of ONE_CHANNEL, THREE_CHANNEL", channelMode);
    require(colorPenalty != null, "colorPenalty", "one of L2, L2_SQUARED, DELTA_L2", colorPenalty);
    require(init != null, "init", "one of UNIFORM, ZERO", init);
    require(microBatch >= 1, "microBatch", "≥ 1", microBatch);
  }

  /**
   * Checks this attack against the model it is about to run on, before any compute.
   *
   * @param modelChannels C of the model's input
   * @param modelSigma σ of a smoothed model, or {@code null} for an IBP model
   * @param modelEpsilon ε of an IBP model, or {@code null} for a smoothed model
   * @throws ParameterException naming the field that cannot give a meaningful answer
   */
  public void checkAgainstModel(int modelChannels, Double modelSigma, Double modelEpsilon) {
    if (channelMode == ChannelMode.THREE_CHANNEL && modelChannels == 1 && lambdaS > 0) {
      throw new ParameterException(
          "lambdaS",
          "`lambdaS` > 0 needs a multi-channel model in THREE_CHANNEL mode; the model has 1 channel"
              + " (use ONE_CHANNEL or lambdaS = 0)");
    }
    // TV(δ) = δᵀLδ with L the pixel grid's Laplacian (largest eigenvalue < 8), repeated over the C
    // channels of the model for a 1-channel δ: a step multiplies the checkerboard component of δ by
    // 1 − 2·lr·λtv·C·λmax(L), so descent diverges (δ overflows to ±inf, then NaN) once lr·λtv·C·8 ≥ 1.
    int tvCopies = channelMode == ChannelMode.ONE_CHANNEL ? modelChannels : 1;
    if (learningRate * lambdaTv * tvCopies * 8 >= 1) {
      throw new ParameterException(
          "learningRate",
          "`learningRate` = " + learningRate + " with `lambdaTv` = " + lambdaTv + (tvCopies > 1
              ? " on " + tvCopies + " channels" : "") + " makes gradient descent on the TV penalty diverge;"
              + " keep learningRate < 1/(8·" + (tvCopies > 1 ? tvCopies + "·" : "") + "lambdaTv) = "
              + String.format(java.util.Locale.ROOT, "%.4g", 1 / (8.0 * tvCopies * lambdaTv)));
    }
    if (modelSigma != null && sigma != null && !sigmaOverride && Math.abs(sigma - modelSigma) > 1e-12) {
      throw new ParameterException(
          "sigma",
          "`sigma` = " + sigma + " differs from the model's σ = " + modelSigma
              + " (set sigmaOverride = true to attack with another σ)");
    }
    if (modelSigma == null && sigma != null) {
      throw new ParameterException("sigma", "`sigma` applies to smoothed models; this model is IBP");
    }
    if (modelEpsilon == null && epsilon != null) {
      throw new ParameterException("epsilon", "`epsilon` applies to IBP models; this model is smoothed");
    }
  }

  /** σ the attack uses on a model of σ {@code modelSigma}. */
  public double sigmaFor(double modelSigma) {
    return sigma == null ? modelSigma : sigma;
  }

  /** ε the attack uses on a model of ε {@code modelEpsilon}. */
  public double epsilonFor(double modelEpsilon) {
    return epsilon == null ? modelEpsilon : epsilon;
  }

  public AttackParams withSeed(long newSeed) {
    return new AttackParams(steps, learningRate, lambdaTv, lambdaC, lambdaS, noiseBatch, sigma,
        sigmaOverride, epsilon, boundMethod, beta, spoofLoss, channelMode, colorPenalty, init,
        resampleNoise, newSeed, microBatch, trace);
  }

  private static boolean finite(Double v) {
    return v != null && Double.isFinite(v);
  }
}

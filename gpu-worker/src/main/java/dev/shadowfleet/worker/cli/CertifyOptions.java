package dev.shadowfleet.worker.cli;

import dev.shadowfleet.common.config.BoundMethod;
import dev.shadowfleet.common.config.CertifyMode;
import dev.shadowfleet.common.config.IbpParams;
import dev.shadowfleet.common.config.ParameterException;
import dev.shadowfleet.common.config.SmoothingParams;
import picocli.CommandLine.Option;

/** Certification budget options (randomized smoothing) and bound options (IBP). */
final class CertifyOptions {
  @Option(names = "--n0", defaultValue = "100", description = "Selection samples (paper: ${DEFAULT-VALUE}).")
  int n0;

  @Option(names = "--n", defaultValue = "100000", description = "Estimation samples (paper: ${DEFAULT-VALUE}).")
  int n;

  @Option(names = "--alpha", defaultValue = "0.001", description = "Failure probability (paper: ${DEFAULT-VALUE}).")
  double alpha;

  @Option(names = "--batch-size", defaultValue = "1000", description = "Noisy samples per forward pass. Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Option(names = "--certify-mode", defaultValue = "SELECT_THEN_CERTIFY",
      description = "SELECT_THEN_CERTIFY (each x' screened with n0 + 2·n0 samples, the best certified in full) or CERTIFY_ALL. Default: ${DEFAULT-VALUE}.")
  CertifyMode mode;

  @Option(names = "--bound", defaultValue = "IBP", description = "IBP models: IBP or CROWN_IBP certification. Default: ${DEFAULT-VALUE}.")
  BoundMethod bound;

  @Option(names = "--beta", defaultValue = "1.0", description = "CROWN_IBP weight β in β·CROWN-IBP + (1−β)·IBP. Default: ${DEFAULT-VALUE}.")
  double beta;

  @Option(names = "--certify-seed", defaultValue = "0", description = "Seed of the certification noise. Default: ${DEFAULT-VALUE}.")
  long seed;

  /** Validated smoothing parameters; the field named in the error is the option's name. */
  SmoothingParams smoothing(ModelInputs inputs) {
    try {
      return new SmoothingParams(n0, n, alpha, batchSize, mode);
    } catch (ParameterException e) {
      throw inputs.bad("--" + option(e.field()), e.getMessage());
    }
  }

  IbpParams ibp(ModelInputs inputs) {
    try {
      return new IbpParams(null, bound, bound == BoundMethod.IBP ? 0.0 : beta);
    } catch (ParameterException e) {
      throw inputs.bad("--" + option(e.field()), e.getMessage());
    }
  }

  private static String option(String field) {
    return switch (field) {
      case "batchSize" -> "batch-size";
      case "mode" -> "certify-mode";
      case "method" -> "bound";
      default -> field;
    };
  }
}

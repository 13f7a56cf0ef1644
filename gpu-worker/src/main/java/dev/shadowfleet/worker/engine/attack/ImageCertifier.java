package dev.shadowfleet.worker.engine.attack;

import ai.djl.ndarray.NDArray;

/** What {@link AttackRunner} needs from a certifier (adapters over {@code engine.certify}). */
public interface ImageCertifier {

  /** The full certificate of {@code image} (C×H×W in [0,1]); {@code seed} makes it reproducible. */
  Certificate certify(NDArray image, long seed);

  /**
   * A cheap certificate to rank the targets of one image (smoothing: n0 selection plus 2·n0
   * estimation samples, the authors' budget); the full one where certification is already cheap.
   */
  Certificate screen(NDArray image, long seed);
}

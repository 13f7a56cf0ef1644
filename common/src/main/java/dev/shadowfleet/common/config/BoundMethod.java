package dev.shadowfleet.common.config;

/** Bounds used for interval-certified networks (Gowal et al. 2018; Zhang et al. 2019). */
public enum BoundMethod {
  /** Interval arithmetic layer by layer. */
  IBP,
  /** β·CROWN-IBP + (1−β)·IBP margin lower bounds. */
  CROWN_IBP
}

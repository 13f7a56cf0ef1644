package dev.shadowfleet.common.config;

/** Shape of the perturbation δ (ALGORITHM.md, "Notation"). */
public enum ChannelMode {
  /** δ is 1×H×W, repeated over the C channels on every forward pass (grey-scale; Dissim = 0). */
  ONE_CHANNEL,
  /** δ is C×H×W; the Dissim penalty (weight λs) keeps the channels alike. */
  THREE_CHANNEL
}

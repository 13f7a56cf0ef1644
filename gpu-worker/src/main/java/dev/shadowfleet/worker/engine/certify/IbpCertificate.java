package dev.shadowfleet.worker.engine.certify;

import dev.shadowfleet.common.config.BoundMethod;

/**
 * The interval-bound certificate of one image.
 *
 * @param label the class whose margins were bounded
 * @param certified every lower bound of {@code z_label − z_j} (j ≠ label) is &gt; 0
 * @param worstMarginLowerBound the smallest of those lower bounds
 * @param marginLowerBounds all K lower bounds (0 at {@code j = label})
 * @param epsilon ℓ∞ radius in pixel space
 * @param method the bound used
 * @param beta the CROWN-IBP weight (0 for IBP)
 */
public record IbpCertificate(
    int label,
    boolean certified,
    double worstMarginLowerBound,
    double[] marginLowerBounds,
    double epsilon,
    BoundMethod method,
    double beta) {}

package dev.shadowfleet.worker.engine.attack;

import java.util.List;

/**
 * The outcome of the attack toward one target.
 *
 * @param target the target class t
 * @param deltaShape [C_δ, H, W] of δ (C_δ = 1 in 1-channel mode)
 * @param delta δ after the last step, C_δ·H·W floats, CHW (not clipped, as optimised)
 * @param adversarial x' = clip(x + δ, 0, 1), C·H·W floats, CHW (δ repeated over C in 1-channel mode)
 * @param loss the loss terms at the final δ
 * @param l2 ‖x' − x‖₂, the perturbation that reaches the image (after repetition and clipping)
 * @param linf ‖x' − x‖∞
 * @param steps gradient steps taken
 * @param wallMillis wall time of the whole batched run (all targets of the image were attacked
 *     together, so they share this figure)
 * @param batchTargets how many targets shared that run
 * @param trace loss terms at every step before its update (empty unless {@code trace} was set)
 */
public record TargetResult(
    int target,
    int[] deltaShape,
    float[] delta,
    float[] adversarial,
    LossTerms loss,
    double l2,
    double linf,
    int steps,
    long wallMillis,
    int batchTargets,
    List<LossTerms> trace) {}

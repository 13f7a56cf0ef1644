package dev.shadowfleet.common.message;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.shadowfleet.common.config.AttackParams;
import dev.shadowfleet.common.config.IbpParams;
import dev.shadowfleet.common.config.SmoothingParams;
import java.util.Map;

/**
 * What is needed to re-run a result and trust it (DESIGN.md, "Provenance and guard-rails").
 *
 * @param attack every attack parameter actually used (preset resolved, overrides applied)
 * @param smoothing certification settings (smoothed models)
 * @param ibp certification settings (IBP models)
 * @param jobSeed seed of δ's init and the attack's noise
 * @param noiseSeed seed of the certification noise
 * @param modelSha256 checksum of the model file that ran
 * @param device e.g. {@code cpu} or {@code gpu(0) NVIDIA H100}
 * @param versions library versions (shadowfleet, djl, pytorch, java)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Provenance(
    AttackParams attack,
    SmoothingParams smoothing,
    IbpParams ibp,
    long jobSeed,
    long noiseSeed,
    String modelSha256,
    String device,
    Map<String, String> versions) {}

package dev.shadowfleet.common.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Named parameter sets from the paper; a job names one and may override single fields. */
public enum AttackPreset {
  /** Table 1 (randomized smoothing), 1-channel: B=400, 300 steps, lr 0.1, λtv 0.3, λc 1.0. */
  PAPER_RS("paper-rs", rs(300, 0.1, 0.3, 1.0, 0.0, 400, ChannelMode.ONE_CHANNEL)),
  /** Table 1, 3-channel with the dissimilarity penalty λs = 0.5 (RGB models). */
  PAPER_RS_3CH("paper-rs-3ch", rs(300, 0.1, 0.3, 1.0, 0.5, 400, ChannelMode.THREE_CHANNEL)),
  /** §5 (IBP/CROWN-IBP): 1-channel, C(δ)=‖δ‖₂, λtv 0.000009, λc 0.02, lr 200, 300 steps. */
  PAPER_IBP("paper-ibp", ibp(300, 200.0, 0.000009, 0.02)),
  /** §4 ablation: 30 steps, lr 0.1, 1-channel, λtv 0.3, λc 20, B = 50. */
  ABLATION("ablation", rs(30, 0.1, 0.3, 20.0, 0.0, 50, ChannelMode.ONE_CHANNEL)),
  /** A small budget for demos and CI: ablation settings with B = 16 and 20 steps. */
  QUICK("quick", rs(20, 0.1, 0.3, 20.0, 0.0, 16, ChannelMode.ONE_CHANNEL));

  /**
   * Samples per forward/backward pass in every preset: the fastest size on CPU in docs/benchmarks.md
   * ("Attack throughput": 400 beat 100, 900 and one 3,600-sample pass at 1 intra-op thread). The
   * attack also caps a micro-batch by its input size (ShadowAttack.MAX_MICRO_BATCH_VALUES), so large
   * images get fewer samples per pass whatever this says.
   */
  public static final int DEFAULT_MICRO_BATCH = 400;

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  private final String id;
  private final AttackParams params;

  AttackPreset(String id, AttackParams params) {
    this.id = id;
    this.params = params;
  }

  /** The name used in jobs, the REST API and the CLI, e.g. {@code paper-rs}. */
  public String id() {
    return id;
  }

  public AttackParams params() {
    return params;
  }

  /** The preset named {@code id}, or a {@link ParameterException} on field {@code preset}. */
  public static AttackPreset byId(String id) {
    for (AttackPreset p : values()) {
      if (p.id.equals(id)) {
        return p;
      }
    }
    throw new ParameterException(
        "preset",
        "`preset` must be one of "
            + Arrays.stream(values()).map(AttackPreset::id).toList()
            + ", got " + id);
  }

  /**
   * The preset's parameters with single fields replaced, validated as a whole.
   *
   * @param overrides field name → value (JSON types), e.g. {@code {"steps": 50, "lambdaTv": 0.1}}
   * @throws ParameterException naming an unknown field, a wrongly typed value or a value out of range
   */
  public AttackParams resolve(Map<String, ?> overrides) {
    if (overrides == null || overrides.isEmpty()) {
      return params;
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> merged = new LinkedHashMap<>(MAPPER.convertValue(params, Map.class));
    for (var e : overrides.entrySet()) {
      if (!merged.containsKey(e.getKey())) {
        throw new ParameterException(
            e.getKey(), "`" + e.getKey() + "` is not an attack parameter; known: " + merged.keySet());
      }
      merged.put(e.getKey(), e.getValue());
    }
    try {
      return MAPPER.convertValue(merged, AttackParams.class);
    } catch (IllegalArgumentException e) {
      throw translate(e);
    }
  }

  private static RuntimeException translate(IllegalArgumentException e) {
    Throwable cause = e.getCause();
    while (cause != null) {
      if (cause instanceof ParameterException pe) {
        return pe;
      }
      if (cause instanceof UnrecognizedPropertyException u) {
        return new ParameterException(u.getPropertyName(), "`" + u.getPropertyName() + "` is unknown");
      }
      if (cause instanceof InvalidFormatException f && !f.getPath().isEmpty()) {
        String field = f.getPath().get(0).getFieldName();
        return new ParameterException(
            field, "`" + field + "` must be a " + f.getTargetType().getSimpleName() + ", got " + f.getValue());
      }
      if (cause instanceof MismatchedInputException m && !m.getPath().isEmpty()) {
        String field = m.getPath().get(0).getFieldName();
        return new ParameterException(
            field, "`" + field + "` has the wrong type (expected " + m.getTargetType().getSimpleName() + ")");
      }
      cause = cause.getCause();
    }
    return new ParameterException("attack", "invalid attack parameters: " + e.getMessage());
  }

  private static AttackParams rs(
      int steps, double lr, double tv, double c, double s, int b, ChannelMode mode) {
    return new AttackParams(steps, lr, tv, c, s, b, null, false, null, BoundMethod.IBP, 0.0,
        SpoofLoss.ROBUST_CE, mode, ColorPenalty.L2_SQUARED, DeltaInit.UNIFORM, false, 0L,
        DEFAULT_MICRO_BATCH, false);
  }

  private static AttackParams ibp(int steps, double lr, double tv, double c) {
    return new AttackParams(steps, lr, tv, c, 0.0, 1, null, false, null, BoundMethod.IBP, 0.0,
        SpoofLoss.ROBUST_CE, ChannelMode.ONE_CHANNEL, ColorPenalty.DELTA_L2, DeltaInit.UNIFORM,
        false, 0L, DEFAULT_MICRO_BATCH, false);
  }
}

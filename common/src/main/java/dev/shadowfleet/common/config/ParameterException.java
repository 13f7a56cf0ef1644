package dev.shadowfleet.common.config;

/**
 * A parameter that cannot give a meaningful answer. Names the field so the REST edge can answer 4xx
 * with {@code {status, field, message}} and the worker can send the job to the DLQ with the reason.
 */
public class ParameterException extends IllegalArgumentException {
  private final String field;

  public ParameterException(String field, String message) {
    super(message);
    this.field = field;
  }

  /** The offending field, e.g. {@code "attack.lambdaTv"} or {@code "lambdaTv"}. */
  public String field() {
    return field;
  }

  /** Same exception, the field prefixed (e.g. "attack." + field) where records are nested. */
  public ParameterException prefixed(String prefix) {
    return new ParameterException(prefix + field, getMessage().replace("`" + field + "`", "`" + prefix + field + "`"));
  }

  /** Throws {@code "`field` must be <rule>, got <value>"} unless {@code ok}. */
  public static void require(boolean ok, String field, String rule, Object value) {
    if (!ok) {
      throw new ParameterException(field, "`" + field + "` must be " + rule + ", got " + value);
    }
  }
}

package dev.shadowfleet.common.message;

/** A message that cannot be read: bad JSON, unknown schema version, missing or invalid field. */
public class MessageException extends RuntimeException {
  private final String field;

  public MessageException(String field, String message) {
    super(message);
    this.field = field;
  }

  public MessageException(String field, String message, Throwable cause) {
    super(message, cause);
    this.field = field;
  }

  /** The offending field, or {@code "$"} for the message as a whole. */
  public String field() {
    return field;
  }
}

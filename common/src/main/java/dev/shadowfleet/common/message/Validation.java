package dev.shadowfleet.common.message;

/** Field checks shared by the message records; failures name the field. */
final class Validation {
  private Validation() {}

  static void requireText(String field, String value) {
    if (value == null || value.isBlank()) {
      throw new MessageException(field, "`" + field + "` is required");
    }
  }

  static void require(boolean ok, String field, String rule, Object value) {
    if (!ok) {
      throw new MessageException(field, "`" + field + "` must be " + rule + ", got " + value);
    }
  }
}

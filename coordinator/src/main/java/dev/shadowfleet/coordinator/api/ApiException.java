package dev.shadowfleet.coordinator.api;

/** A request the API refuses: HTTP status, the offending field (or {@code "$"}) and the reason. */
public class ApiException extends RuntimeException {
  private final int status;
  private final String field;

  public ApiException(int status, String field, String message) {
    super(message);
    this.status = status;
    this.field = field;
  }

  public static ApiException badRequest(String field, String message) {
    return new ApiException(400, field, message);
  }

  public static ApiException notFound(String field, String message) {
    return new ApiException(404, field, message);
  }

  public static ApiException conflict(String field, String message) {
    return new ApiException(409, field, message);
  }

  public int status() {
    return status;
  }

  public String field() {
    return field;
  }
}

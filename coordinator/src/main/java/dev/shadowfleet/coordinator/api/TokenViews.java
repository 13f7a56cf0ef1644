package dev.shadowfleet.coordinator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.OffsetDateTime;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Request and response records of the token API. */
public final class TokenViews {
  private TokenViews() {}

  /**
   * The body of {@code POST /api/tokens}.
   *
   * @param name the holder (sweeps submitted with the token belong to this name)
   * @param role viewer, researcher or operator
   */
  @Schema(description = "A token to create: holder name and role")
  public record Create(@Schema(example = "alice") String name, @Schema(example = "researcher") String role) {}

  /** A token as listed (never the token or its hash). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Token(
      String id, String name, String role, OffsetDateTime createdAt, String createdBy, OffsetDateTime revokedAt,
      OffsetDateTime lastUsedAt) {}

  /** A created token: {@code token} is shown this once and cannot be read again. */
  public record Created(String id, String name, String role, String token, OffsetDateTime createdAt, String createdBy) {}
}

package dev.shadowfleet.coordinator.auth;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/** An API token (table {@code api_tokens}): its SHA-256, never the token itself. */
@Entity
@Table(name = "api_tokens")
public class ApiTokenEntity {
  @Id public String id;

  @Column(name = "token_sha256")
  public String tokenSha256;

  public String name;
  public String role;

  @Column(name = "created_at", insertable = false, updatable = false)
  public OffsetDateTime createdAt;

  @Column(name = "created_by")
  public String createdBy;

  @Column(name = "revoked_at")
  public OffsetDateTime revokedAt;

  @Column(name = "last_used_at", insertable = false, updatable = false)
  public OffsetDateTime lastUsedAt;
}

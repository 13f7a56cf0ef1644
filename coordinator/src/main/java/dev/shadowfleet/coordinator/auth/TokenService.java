package dev.shadowfleet.coordinator.auth;

import dev.shadowfleet.common.auth.ApiToken;
import dev.shadowfleet.coordinator.api.ApiException;
import dev.shadowfleet.coordinator.api.TokenViews;
import io.agroal.api.AgroalDataSource;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/** Creates, lists, revokes and looks up API tokens (by the SHA-256 of the presented token). */
@ApplicationScoped
public class TokenService {
  /** A valid token's holder. */
  public record Holder(String id, String name, String role) {}

  private final ApiTokenRepository tokens;
  private final AgroalDataSource dataSource;

  public TokenService(ApiTokenRepository tokens, AgroalDataSource dataSource) {
    this.tokens = tokens;
    this.dataSource = dataSource;
  }

  /** A new token for {@code name} with {@code role}; the answer is the only place the token appears. */
  @Transactional
  public TokenViews.Created create(TokenViews.Create request, String createdBy) {
    if (request == null) {
      throw ApiException.badRequest("$", "a JSON body is required: {\"name\": \"alice\", \"role\": \"researcher\"}");
    }
    String name;
    String role;
    try {
      name = ApiToken.requireName(request.name());
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("name", e.getMessage());
    }
    try {
      role = ApiToken.requireRole(request.role());
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("role", e.getMessage());
    }
    String token = ApiToken.generate();
    ApiTokenEntity t = new ApiTokenEntity();
    t.id = ApiToken.publicId(token);
    t.tokenSha256 = ApiToken.hash(token);
    t.name = name;
    t.role = role;
    t.createdBy = createdBy == null ? "(authentication off)" : createdBy;
    tokens.persist(t);
    tokens.flush();
    tokens.getEntityManager().refresh(t);
    return new TokenViews.Created(t.id, t.name, t.role, token, t.createdAt, t.createdBy);
  }

  @Transactional
  public List<TokenViews.Token> list() {
    return tokens.listAll(Sort.by("createdAt").and("id")).stream().map(TokenService::view).toList();
  }

  /** Revokes a token by its public id (revoking twice keeps the first time). */
  @Transactional
  public TokenViews.Token revoke(String id) {
    ApiTokenEntity t = id == null ? null : tokens.findById(id);
    if (t == null) {
      throw ApiException.notFound("id", "no token " + id);
    }
    if (t.revokedAt == null) {
      t.revokedAt = OffsetDateTime.now();
    }
    return view(t);
  }

  /**
   * The holder of {@code token} when it is well formed, known and not revoked; notes its use (at most
   * once a minute per token, so reads do not turn into writes). Looked up by the SHA-256 of the token:
   * comparing hashes leaks nothing useful about the token through timing.
   */
  public Optional<Holder> authenticate(String token) {
    if (!ApiToken.wellFormed(token)) {
      return Optional.empty();
    }
    try (Connection c = dataSource.getConnection()) {
      Holder holder;
      boolean stale;
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT id, name, role, last_used_at IS NULL OR last_used_at < now() - interval '1 minute'"
                  + " FROM api_tokens WHERE token_sha256 = ? AND revoked_at IS NULL")) {
        ps.setString(1, ApiToken.hash(token));
        try (var rs = ps.executeQuery()) {
          if (!rs.next()) {
            return Optional.empty();
          }
          holder = new Holder(rs.getString(1), rs.getString(2), rs.getString(3));
          stale = rs.getBoolean(4);
        }
      }
      if (stale) {
        try (PreparedStatement ps = c.prepareStatement("UPDATE api_tokens SET last_used_at = now() WHERE id = ?")) {
          ps.setString(1, holder.id());
          ps.executeUpdate();
        }
      }
      return Optional.of(holder);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot look up an API token", e);
    }
  }

  private static TokenViews.Token view(ApiTokenEntity t) {
    return new TokenViews.Token(t.id, t.name, t.role, t.createdAt, t.createdBy, t.revokedAt, t.lastUsedAt);
  }
}

package dev.shadowfleet.launcher;

import dev.shadowfleet.common.auth.ApiToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * API tokens written straight into the coordinator's PostgreSQL table {@code api_tokens} (its
 * migration V4 creates it): the way to the first operator token, when no token exists to call the
 * API with. Stores what the coordinator stores — the SHA-256 and the public id — never the token.
 */
public final class TokenStore {
  /** A token as listed. */
  public record Listed(String id, String name, String role, String createdAt, String createdBy, String revokedAt, String lastUsedAt) {}

  /** A created token (shown once). */
  public record Created(String id, String name, String role, String token) {}

  private final Postgres.Credentials db;

  public TokenStore(Postgres.Credentials db) {
    this.db = db;
  }

  /** A new token; {@code createdBy} says where it came from (e.g. {@code shadowfleet-local}). */
  public Created create(String name, String role, String createdBy) {
    String n = ApiToken.requireName(name);
    String r = ApiToken.requireRole(role);
    String token = ApiToken.generate();
    run(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO api_tokens (id, token_sha256, name, role, created_by) VALUES (?, ?, ?, ?, ?)")) {
        ps.setString(1, ApiToken.publicId(token));
        ps.setString(2, ApiToken.hash(token));
        ps.setString(3, n);
        ps.setString(4, r);
        ps.setString(5, createdBy);
        ps.executeUpdate();
      }
      return null;
    });
    return new Created(ApiToken.publicId(token), n, r, token);
  }

  public List<Listed> list() {
    return run(c -> {
      List<Listed> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(
              "SELECT id, name, role, created_at, created_by, revoked_at, last_used_at FROM api_tokens ORDER BY created_at, id");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Listed(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
              rs.getString(6), rs.getString(7)));
        }
      }
      return out;
    });
  }

  /** Revokes by public id; false when there is no such token. */
  public boolean revoke(String id) {
    return run(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, now()) WHERE id = ?")) {
        ps.setString(1, id);
        return ps.executeUpdate() == 1;
      }
    });
  }

  /** True when {@code token} is stored with {@code role} and not revoked. */
  public boolean valid(String token, String role) {
    if (!ApiToken.wellFormed(token)) {
      return false;
    }
    return run(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT 1 FROM api_tokens WHERE token_sha256 = ? AND role = ? AND revoked_at IS NULL")) {
        ps.setString(1, ApiToken.hash(token));
        ps.setString(2, role);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next();
        }
      }
    });
  }

  /**
   * The operator token kept in {@code file} when it is still valid, else a new one (name {@code name})
   * written there, readable by the owner only (0600).
   */
  public String operatorToken(Path file, String name) {
    Optional<String> kept = read(file);
    if (kept.isPresent() && valid(kept.get(), "operator")) {
      return kept.get();
    }
    Created t = create(name, "operator", "shadowfleet-local");
    write(file, t.token());
    return t.token();
  }

  static Optional<String> read(Path file) {
    try {
      return Files.isRegularFile(file) ? Optional.of(Files.readString(file, StandardCharsets.UTF_8).trim()) : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** Writes {@code token} to {@code file} with mode 0600 (created so, never readable by others in between). */
  static void write(Path file, String token) {
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.deleteIfExists(tmp);
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(tmp, token + "\n", StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private interface Work<T> {
    T apply(Connection c) throws SQLException;
  }

  private <T> T run(Work<T> work) {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
      return work.apply(c);
    } catch (SQLException e) {
      if ("42P01".equals(e.getSQLState())) {
        throw new IllegalStateException("the database at " + db.jdbcUrl() + " has no api_tokens table yet: start the"
            + " coordinator once (its migrations create the schema), then run this again", e);
      }
      throw new IllegalStateException("cannot reach the token table at " + db.jdbcUrl() + ": " + e.getMessage(), e);
    }
  }
}

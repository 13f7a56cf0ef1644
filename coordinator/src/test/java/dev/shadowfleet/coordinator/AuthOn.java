package dev.shadowfleet.coordinator;

import dev.shadowfleet.common.auth.ApiToken;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;

/** Test profile: access control on (the %test default is off), reads open; and tokens for the tests. */
public class AuthOn implements QuarkusTestProfile {
  @Override
  public Map<String, String> getConfigOverrides() {
    return Map.of("shadowfleet.auth.enabled", "true", "shadowfleet.auth.read-open", "true");
  }

  /** Reads closed too. */
  public static class ClosedReads implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("shadowfleet.auth.enabled", "true", "shadowfleet.auth.read-open", "false");
    }
  }

  /**
   * A new token of {@code role} for {@code name}, written straight into {@code api_tokens} the way the
   * launcher's {@code token create} does (the bootstrap path: no operator token exists yet).
   */
  static String token(AgroalDataSource db, String name, String role) {
    String token = ApiToken.generate();
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "INSERT INTO api_tokens (id, token_sha256, name, role, created_by) VALUES (?, ?, ?, ?, 'test')")) {
      ps.setString(1, ApiToken.publicId(token));
      ps.setString(2, ApiToken.hash(token));
      ps.setString(3, name);
      ps.setString(4, role);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return token;
  }

  static String unique(String name) {
    return name + "-" + UUID.randomUUID().toString().substring(0, 6);
  }
}

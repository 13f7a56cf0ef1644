package dev.shadowfleet.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shadowfleet.common.auth.ApiToken;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The token command against a real PostgreSQL holding the coordinator's own migrations (V1, V4 from
 * the coordinator module's sources): what it stores is what the coordinator looks tokens up by.
 */
class TokenCommandTest {
  @TempDir Path dir;

  @Test
  void createListRevokeAndTheKeptOperatorToken() throws Exception {
    try (Postgres pg = Postgres.start(dir.resolve("pg"), 0)) {
      Postgres.Credentials c = pg.credentials();
      migrate(c);
      String url = c.jdbcUrl();

      Run created = run("token", "create", "--role", "operator", "--name", "alice", "--jdbc-url", url,
          "--db-user", c.user(), "--db-password", c.password());
      assertEquals(0, created.code, created.err);
      String token = created.out.trim();
      assertTrue(ApiToken.wellFormed(token), token);
      assertTrue(created.err.contains(ApiToken.publicId(token)), created.err);
      assertFalse(created.err.contains(token), "the token goes to stdout only");
      try (Connection db = DriverManager.getConnection(url, c.user(), c.password());
          Statement s = db.createStatement();
          ResultSet rs = s.executeQuery("SELECT id, token_sha256, name, role, api_tokens::text FROM api_tokens")) {
        assertTrue(rs.next());
        assertEquals(ApiToken.publicId(token), rs.getString(1));
        assertEquals(ApiToken.hash(token), rs.getString(2));
        assertEquals("alice", rs.getString(3));
        assertEquals("operator", rs.getString(4));
        assertFalse(rs.getString(5).contains(token), "the token itself is not stored");
      }

      Run listed = run("token", "list", "--jdbc-url", url, "--db-user", c.user(), "--db-password", c.password());
      assertEquals(0, listed.code, listed.err);
      assertTrue(listed.out.contains(ApiToken.publicId(token)) && listed.out.contains("active"), listed.out);
      assertFalse(listed.out.contains(token));

      Run bad = run("token", "create", "--role", "admin", "--name", "bob", "--jdbc-url", url, "--db-user", c.user());
      assertEquals(ShadowfleetLocal.BAD_INPUT, bad.code);
      assertTrue(bad.err.contains("`role`"), bad.err);

      Run revoked = run("token", "revoke", ApiToken.publicId(token), "--jdbc-url", url, "--db-user", c.user(),
          "--db-password", c.password());
      assertEquals(0, revoked.code, revoked.err);
      TokenStore store = new TokenStore(c);
      assertFalse(store.valid(token, "operator"));
      assertEquals(ShadowfleetLocal.BAD_INPUT,
          run("token", "revoke", "tok-nosuch", "--jdbc-url", url, "--db-user", c.user()).code);

      // up's operator token: created once with mode 0600, kept while valid, replaced once revoked.
      Path file = dir.resolve("operator.token");
      String first = store.operatorToken(file, "local-operator");
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
      assertEquals(first, store.operatorToken(file, "local-operator"));
      store.revoke(ApiToken.publicId(first));
      String second = store.operatorToken(file, "local-operator");
      assertNotEquals(first, second);
      assertTrue(store.valid(second, "operator"));
      assertEquals(second, Files.readString(file).trim());
    }
  }

  @Test
  void withoutADatabaseItSaysWhereToPointIt() {
    Run r = run("token", "list", "--data-dir", dir.toString());
    assertEquals(ShadowfleetLocal.BAD_INPUT, r.code);
    assertTrue(r.err.contains("--jdbc-url"), r.err);
  }

  @Test
  void aDatabaseUrlThatIsNotPostgresIsBadInputForTokenAndCoordinator() {
    for (String[] args : new String[][] {
        {"token", "list", "--jdbc-url", "jdbc:mysql://db/x", "--data-dir", dir.toString()},
        {"coordinator", "--kafka-bootstrap", "127.0.0.1:9", "--jdbc-url", "jdbc:mysql://db/x", "--data-dir",
            dir.toString()}}) {
      Run r = run(args);
      assertEquals(ShadowfleetLocal.BAD_INPUT, r.code, r.err);
      assertTrue(r.err.contains("`--jdbc-url` must be a jdbc:postgresql:// URL"), r.err);
      assertTrue(r.err.contains("jdbc:mysql://db/x"), r.err);
    }
  }

  private static void migrate(Postgres.Credentials c) throws Exception {
    Path migrations = Path.of("..", "coordinator", "src", "main", "resources", "db", "migration");
    try (Connection db = DriverManager.getConnection(c.jdbcUrl(), c.user(), c.password());
        Statement s = db.createStatement()) {
      s.execute(Files.readString(migrations.resolve("V1__schema.sql")));
      s.execute(Files.readString(migrations.resolve("V4__api_tokens.sql")));
    }
  }

  record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = ShadowfleetLocal.run(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), args);
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}

package dev.shadowfleet.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real PostgreSQL: the coordinator's database and role, data kept across a restart. */
class PostgresTest {
  @TempDir Path dir;

  @Test
  void secondStartReusesTheDataDirectory() throws Exception {
    long firstPid;
    try (Postgres pg = Postgres.start(dir, 0)) {
      firstPid = pg.pid().orElseThrow();
      Postgres.Credentials c = pg.credentials();
      assertTrue(c.jdbcUrl().startsWith("jdbc:postgresql://localhost:"), c.jdbcUrl());
      try (Connection db = DriverManager.getConnection(c.jdbcUrl(), c.user(), c.password());
          Statement s = db.createStatement()) {
        s.execute("CREATE TABLE kept (v text)");
        s.execute("INSERT INTO kept VALUES ('first run')");
        try (ResultSet rs = s.executeQuery("SELECT current_user, current_database()")) {
          rs.next();
          assertEquals("shadowfleet", rs.getString(1));
          assertEquals("shadowfleet", rs.getString(2));
        }
      }
    }
    assertFalse(alive(firstPid), "postmaster stopped");
    Path version = dir.resolve("data").resolve("PG_VERSION");
    assertTrue(Files.exists(version));
    long initdbTime = Files.getLastModifiedTime(version).toMillis();

    try (Postgres pg = Postgres.start(dir, 0)) {
      assertEquals(initdbTime, Files.getLastModifiedTime(version).toMillis(), "no second initdb");
      Postgres.Credentials c = pg.credentials();
      try (Connection db = DriverManager.getConnection(c.jdbcUrl(), c.user(), c.password());
          Statement s = db.createStatement();
          ResultSet rs = s.executeQuery("SELECT v FROM kept")) {
        assertTrue(rs.next());
        assertEquals("first run", rs.getString(1));
      }
    }
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }
}

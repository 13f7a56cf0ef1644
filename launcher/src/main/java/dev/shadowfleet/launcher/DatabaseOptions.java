package dev.shadowfleet.launcher;

import picocli.CommandLine.Option;

/**
 * {@code --jdbc-url}, {@code --db-user}, {@code --db-password}: the coordinator's PostgreSQL when it runs
 * elsewhere (commands {@code coordinator} and {@code token}), each also read from the environment.
 */
final class DatabaseOptions {
  @Option(names = "--jdbc-url", paramLabel = "URL", defaultValue = "${env:SHADOWFLEET_DB_URL}",
      description = "PostgreSQL JDBC URL, e.g. jdbc:postgresql://db:5432/shadowfleet (default: $SHADOWFLEET_DB_URL).")
  String jdbcUrl;

  @Option(names = "--db-user", paramLabel = "USER", defaultValue = "${env:SHADOWFLEET_DB_USER}",
      description = "Database user (default: $SHADOWFLEET_DB_USER, else shadowfleet).")
  String user;

  @Option(names = "--db-password", paramLabel = "PASSWORD", defaultValue = "${env:SHADOWFLEET_DB_PASSWORD}",
      description = "Database password (default: $SHADOWFLEET_DB_PASSWORD, else empty).")
  String password;

  /** A database is named on the command line or in the environment. */
  boolean named() {
    return jdbcUrl != null && !jdbcUrl.isBlank();
  }

  /** The named database; a missing or non-PostgreSQL URL is bad input naming {@code --jdbc-url}. */
  Postgres.Credentials credentials() {
    ShadowfleetLocal.require(jdbcUrl != null && jdbcUrl.startsWith("jdbc:postgresql://"),
        "`--jdbc-url` must be a jdbc:postgresql:// URL (or set SHADOWFLEET_DB_URL), got " + jdbcUrl);
    return new Postgres.Credentials(jdbcUrl, user == null ? Postgres.USER : user, password == null ? "" : password);
  }
}

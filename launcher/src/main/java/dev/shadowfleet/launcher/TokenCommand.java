package dev.shadowfleet.launcher;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code token create|list|revoke}: API tokens written directly into the coordinator's PostgreSQL, for
 * the first operator (nobody holds a token to call {@code POST /api/tokens} with yet) and for recovery.
 * The database is the one of the running local stack, or the one named by the options / environment.
 */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    description = {
      "Create, list or revoke coordinator API tokens directly in PostgreSQL (the first operator's token).",
      "Default database: the running local stack on the data directory; else --jdbc-url / $SHADOWFLEET_DB_URL."
    },
    subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class})
final class TokenCommand {

  /** Where the token table is. */
  static final class Database {
    @Mixin ShadowfleetLocal.DataDirOption data;

    @Mixin DatabaseOptions database;

    TokenStore store() {
      if (database.named()) {
        return new TokenStore(database.credentials());
      }
      DataDir dir = data.resolve();
      StackState state = StackState.load(dir.stateFile())
          .filter(s -> s.get("postgres.jdbc-url").isPresent())
          .orElseThrow(() -> new IllegalArgumentException("no local stack runs on " + dir.root()
              + " (./shadowfleet-local up or infra) and no `--jdbc-url` (or $SHADOWFLEET_DB_URL) names a database"));
      return new TokenStore(new Postgres.Credentials(state.get("postgres.jdbc-url").get(),
          state.get("postgres.user").orElse(Postgres.USER), database.password == null ? Postgres.PASSWORD : database.password));
    }
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Create a token and print it (once: only its SHA-256 is stored).")
  static final class Create implements Callable<Integer> {
    @Mixin Database db;

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--role", required = true, paramLabel = "ROLE",
        description = "viewer (reads), researcher (submit and cancel own sweeps) or operator (everything).")
    String role;

    @Option(names = "--name", required = true, paramLabel = "NAME",
        description = "The holder: sweeps submitted with the token belong to this name.")
    String name;

    @Override
    public Integer call() {
      TokenStore.Created t = db.store().create(name, role, "shadowfleet-local token create");
      PrintWriter out = spec.commandLine().getOut();
      out.println(t.token());
      spec.commandLine().getErr().printf("Created %s for %s (role %s). It is shown only now; use it as%n"
          + "  Authorization: Bearer %s…%n", t.id(), t.name(), t.role(), t.token().substring(0, 8));
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List tokens (never the tokens themselves).")
  static final class ListTokens implements Callable<Integer> {
    @Mixin Database db;

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      out.printf("%-17s %-24s %-10s %-8s %s%n", "ID", "NAME", "ROLE", "STATE", "CREATED BY");
      for (TokenStore.Listed t : db.store().list()) {
        out.printf("%-17s %-24s %-10s %-8s %s%n", t.id(), t.name(), t.role(),
            t.revokedAt() == null ? "active" : "revoked", t.createdBy());
      }
      return 0;
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a token by its id (tok-…).")
  static final class Revoke implements Callable<Integer> {
    @Mixin Database db;

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "ID", description = "The token's id, as `token list` shows it.")
    String id;

    @Override
    public Integer call() {
      ShadowfleetLocal.require(db.store().revoke(id), "no token " + id);
      spec.commandLine().getOut().println("Revoked " + id);
      return 0;
    }
  }
}

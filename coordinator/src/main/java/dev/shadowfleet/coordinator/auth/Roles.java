package dev.shadowfleet.coordinator.auth;

/**
 * The roles of {@code @RolesAllowed}, weakest first; a token holds its role and every weaker one
 * (common {@code ApiToken.impliedRoles}).
 */
public final class Roles {
  /** Reads: sweeps, results, models, jobs. */
  public static final String VIEWER = "viewer";

  /** Submits sweeps and cancels their own. */
  public static final String RESEARCHER = "researcher";

  /** Registers models, cancels any sweep, manages tokens. */
  public static final String OPERATOR = "operator";

  private Roles() {}
}

package dev.shadowfleet.coordinator.auth;

import io.quarkus.security.identity.SecurityIdentity;

/**
 * Who makes a request, as the services see it (they never touch the security framework).
 *
 * @param name the token's name; null when authentication is off (nobody is recorded)
 * @param operator whether the caller may act on anyone's sweeps
 */
public record Caller(String name, boolean operator) {
  /** Marks the identity given to requests without a token while authentication is off. */
  static final String TRUSTED = "shadowfleet.trusted";

  /** Marks the identity given to requests without a token while reads are open. */
  static final String GUEST = "shadowfleet.guest";

  public static Caller of(SecurityIdentity identity) {
    boolean trusted = Boolean.TRUE.equals(identity.getAttribute(TRUSTED));
    return new Caller(trusted ? null : identity.getPrincipal().getName(), identity.hasRole(Roles.OPERATOR));
  }

  /** True for the open-reads guest (a request that sent no token). */
  static boolean isGuest(SecurityIdentity identity) {
    return identity == null || identity.isAnonymous() || Boolean.TRUE.equals(identity.getAttribute(GUEST));
  }
}

package dev.shadowfleet.coordinator.auth;

import dev.shadowfleet.common.auth.ApiToken;
import dev.shadowfleet.coordinator.sweep.CoordinatorConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.credential.TokenCredential;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/**
 * {@code Authorization: Bearer sf_…}: the token goes to {@link ApiTokenIdentityProvider}. A request
 * without the header gets, by configuration ({@code shadowfleet.auth.*}):
 *
 * <ul>
 *   <li>authentication off: a trusted identity holding every role (tests, trusted single-user setups);
 *   <li>reads open: a guest holding {@code viewer} only (so GETs pass, writes get a 401);
 *   <li>otherwise: no identity, so every endpoint answers 401.
 * </ul>
 *
 * A header that is not a bearer token is refused (401 with the reason), never ignored. With {@code
 * shadowfleet.auth.oidc=true}, bearer tokens without the {@code sf_} prefix are left to another
 * mechanism (quarkus-oidc).
 */
@ApplicationScoped
public class ApiTokenMechanism implements HttpAuthenticationMechanism {
  private static final String BEARER = "bearer";

  private final CoordinatorConfig config;

  public ApiTokenMechanism(CoordinatorConfig config) {
    this.config = config;
  }

  @Override
  public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
    String header = context.request().getHeader(HttpHeaderNames.AUTHORIZATION);
    if (header == null || header.isBlank()) {
      return Uni.createFrom().optional(java.util.Optional.ofNullable(withoutToken()));
    }
    int space = header.indexOf(' ');
    if (space < 0 || !header.substring(0, space).equalsIgnoreCase(BEARER)) {
      return Uni.createFrom().failure(new AuthenticationFailedException(
          "the Authorization header must be `Bearer sf_…` (an API token)"));
    }
    String token = header.substring(space + 1).trim();
    if (config.auth().oidc() && !token.startsWith(ApiToken.PREFIX)) {
      return Uni.createFrom().optional(java.util.Optional.empty());
    }
    return identities.authenticate(new TokenAuthenticationRequest(new TokenCredential(token, BEARER)));
  }

  private SecurityIdentity withoutToken() {
    if (!config.auth().enabled()) {
      QuarkusSecurityIdentity.Builder b = QuarkusSecurityIdentity.builder()
          .setPrincipal(new QuarkusPrincipal("anonymous"))
          .addAttribute(Caller.TRUSTED, Boolean.TRUE);
      ApiToken.ROLES.forEach(b::addRole);
      return b.build();
    }
    if (config.auth().readOpen()) {
      return QuarkusSecurityIdentity.builder()
          .setPrincipal(new QuarkusPrincipal("guest"))
          .addRole(Roles.VIEWER)
          .addAttribute(Caller.GUEST, Boolean.TRUE)
          .build();
    }
    return null;
  }

  @Override
  public Uni<ChallengeData> getChallenge(RoutingContext context) {
    return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "Bearer realm=\"shadowfleet\""));
  }

  @Override
  public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
    return Set.of(TokenAuthenticationRequest.class);
  }

  @Override
  public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
    return Uni.createFrom().item(new HttpCredentialTransport(HttpCredentialTransport.Type.AUTHORIZATION, BEARER));
  }
}

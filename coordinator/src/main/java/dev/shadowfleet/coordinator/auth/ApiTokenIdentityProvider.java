package dev.shadowfleet.coordinator.auth;

import dev.shadowfleet.common.auth.ApiToken;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Turns a presented {@code sf_…} token into an identity: the token's name as principal, its role and
 * every weaker one as roles. An unknown, revoked or malformed token fails with the reason.
 */
@ApplicationScoped
public class ApiTokenIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {
  private final TokenService tokens;

  public ApiTokenIdentityProvider(TokenService tokens) {
    this.tokens = tokens;
  }

  @Override
  public Class<TokenAuthenticationRequest> getRequestType() {
    return TokenAuthenticationRequest.class;
  }

  @Override
  public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
    String token = request.getToken().getToken();
    if (!ApiToken.wellFormed(token)) {
      return Uni.createFrom().failure(new AuthenticationFailedException(
          "the bearer token is not a ShadowFleet token (sf_ followed by 43 characters)"));
    }
    return context.runBlocking(() -> {
      TokenService.Holder h = tokens.authenticate(token)
          .orElseThrow(() -> new AuthenticationFailedException("the bearer token is unknown or revoked"));
      QuarkusSecurityIdentity.Builder b = QuarkusSecurityIdentity.builder()
          .setPrincipal(new QuarkusPrincipal(h.name()))
          .addCredential(request.getToken())
          .addAttribute("shadowfleet.token-id", h.id());
      ApiToken.impliedRoles(h.role()).forEach(b::addRole);
      return b.build();
    });
  }
}

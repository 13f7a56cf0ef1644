package dev.shadowfleet.coordinator.api;

import dev.shadowfleet.coordinator.auth.Caller;
import dev.shadowfleet.coordinator.auth.Roles;
import dev.shadowfleet.coordinator.auth.TokenService;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** API tokens, for operators: create (the token is shown once), list, revoke. */
@Path("/api/tokens")
@Tag(name = "tokens")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.OPERATOR)
public class TokenResource {
  private final TokenService tokens;
  private final SecurityIdentity identity;

  public TokenResource(TokenService tokens, SecurityIdentity identity) {
    this.tokens = tokens;
    this.identity = identity;
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Create a token for a name and role (viewer, researcher, operator); the answer holds the token, shown this once")
  public Response create(TokenViews.Create body) {
    TokenViews.Created t = tokens.create(body, Caller.of(identity).name());
    return Response.created(URI.create("/api/tokens/" + t.id())).entity(t).build();
  }

  @GET
  @Operation(summary = "Every token (id, name, role, created, revoked, last used); never the token itself")
  public List<TokenViews.Token> list() {
    return tokens.list();
  }

  @DELETE
  @Path("/{id}")
  @Operation(summary = "Revoke a token by its id; requests with it get 401 from then on")
  public TokenViews.Token revoke(@PathParam("id") String id) {
    return tokens.revoke(id);
  }
}

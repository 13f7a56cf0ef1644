package dev.shadowfleet.coordinator.api;

import dev.shadowfleet.coordinator.sweep.ModelEntity;
import dev.shadowfleet.coordinator.sweep.ModelService;
import dev.shadowfleet.coordinator.auth.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Models: register a card with its checksum, list. */
@Path("/api/models")
@Tag(name = "models")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.VIEWER)
public class ModelResource {
  private final ModelService models;

  public ModelResource(ModelService models) {
    this.models = models;
  }

  @POST
  @RolesAllowed(Roles.OPERATOR)
  @Operation(summary = "Register a model card and the SHA-256 of its file (same id + checksum again: 200); operators only")
  public Response register(ModelRegistration body) {
    if (body == null) {
      throw ApiException.badRequest("$", "a JSON body is required: {\"card\": {...}, \"sha256\": \"...\"}");
    }
    ModelService.Registered r = models.register(body.card(), body.sha256());
    ModelEntity m = r.model();
    return Response.status(r.created() ? 201 : 200).location(URI.create("/api/models/" + m.id)).entity(view(m)).build();
  }

  @GET
  @Operation(summary = "All registered models")
  public List<Views.ModelView> list() {
    return models.list().stream().map(ModelResource::view).toList();
  }

  static Views.ModelView view(ModelEntity m) {
    return new Views.ModelView(m.id, m.kind, m.sigma, m.epsilon, m.channels, m.numClasses, m.sha256.trim(), m.card, m.registeredAt);
  }
}

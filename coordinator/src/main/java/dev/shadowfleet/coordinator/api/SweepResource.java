package dev.shadowfleet.coordinator.api;

import dev.shadowfleet.coordinator.auth.Caller;
import dev.shadowfleet.coordinator.auth.Roles;
import dev.shadowfleet.coordinator.sweep.OutcomeQuery;
import dev.shadowfleet.coordinator.sweep.ResultService;
import dev.shadowfleet.coordinator.sweep.SweepService;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Sweeps: submit, read with progress, list, cancel, best outcome per image. */
@Path("/api/sweeps")
@Tag(name = "sweeps")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.VIEWER)
public class SweepResource {
  static final int MAX_PAGE_SIZE = 500;

  private final SweepService sweeps;
  private final ResultService results;
  private final SecurityIdentity identity;

  public SweepResource(SweepService sweeps, ResultService results, SecurityIdentity identity) {
    this.sweeps = sweeps;
    this.results = results;
    this.identity = identity;
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @RolesAllowed(Roles.RESEARCHER)
  @Operation(summary = "Submit a sweep: validated, stored with all its jobs, then published to the fleet; the answer has the job count and estimated compute seconds")
  public Response submit(SweepRequest request) {
    Views.SweepView v = sweeps.submit(request, Caller.of(identity));
    return Response.created(URI.create("/api/sweeps/" + v.id())).entity(v).build();
  }

  @GET
  @Operation(summary = "Sweeps, newest first")
  public Page<Views.SweepView> list(
      @QueryParam("page") @DefaultValue("0") int page, @QueryParam("size") @DefaultValue("50") int size) {
    checkPage(page, size);
    return sweeps.list(page, size);
  }

  @GET
  @Path("/{id}")
  @Operation(summary = "A sweep with its progress (counts per state, ETA) and the estimated cost of what remains")
  public Views.SweepView get(@PathParam("id") String id) {
    return sweeps.get(id);
  }

  @POST
  @Path("/{id}/cancel")
  @RolesAllowed(Roles.RESEARCHER)
  @Operation(summary = "Cancel: unpublished jobs become CANCELLED now; published ones when workers report them. A researcher may cancel only the sweeps they submitted, an operator any")
  public Views.SweepView cancel(@PathParam("id") String id) {
    return sweeps.cancel(id, Caller.of(identity));
  }

  @GET
  @Path("/{id}/outcomes")
  @Operation(summary = "Best outcome per (model, image): filter by model, success and true class; sort by imageIndex, target, label, naturalRadius, attackRadius, spoofLoss or tv (prefix - for descending; NULLs count as smallest); default model then image")
  public Page<Views.OutcomeView> outcomes(
      @PathParam("id") String id,
      @QueryParam("model") String model,
      @QueryParam("success") String success,
      @QueryParam("label") String label,
      @QueryParam("sort") String sort,
      @QueryParam("page") @DefaultValue("0") int page,
      @QueryParam("size") @DefaultValue("50") int size) {
    checkPage(page, size);
    return results.outcomes(OutcomeQuery.parse(id, model, success, label, sort), page, size);
  }

  static void checkPage(int page, int size) {
    if (page < 0) {
      throw ApiException.badRequest("page", "`page` must be ≥ 0, got " + page);
    }
    if (size < 1 || size > MAX_PAGE_SIZE) {
      throw ApiException.badRequest("size", "`size` must be in [1, " + MAX_PAGE_SIZE + "], got " + size);
    }
  }
}

package dev.shadowfleet.coordinator.api;

import dev.shadowfleet.coordinator.sweep.SweepService;
import dev.shadowfleet.coordinator.auth.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** One job by its id ({@code sweep/model/image/target}; the slashes may stay unencoded). */
@Path("/api/jobs")
@Tag(name = "jobs")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.VIEWER)
public class JobResource {
  private final SweepService sweeps;

  public JobResource(SweepService sweeps) {
    this.sweeps = sweeps;
  }

  @GET
  @Path("/{id: .+}")
  @Operation(summary = "A job: state, attempts, failure reason, and its stored result")
  public Views.JobView get(@PathParam("id") String id) {
    return sweeps.job(id);
  }
}

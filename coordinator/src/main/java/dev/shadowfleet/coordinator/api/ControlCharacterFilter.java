package dev.shadowfleet.coordinator.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses path and query parameters holding control characters (U+0000 … U+001F, U+007F) before any
 * resource sees them: no id, model or sort key contains one, and PostgreSQL cannot even compare a
 * string holding U+0000. The answer names the parameter.
 */
public class ControlCharacterFilter {

  @ServerRequestFilter
  public void refuseControlCharacters(ContainerRequestContext request) {
    UriInfo uri = request.getUriInfo();
    check(uri.getPathParameters());
    check(uri.getQueryParameters());
  }

  private static void check(MultivaluedMap<String, String> params) {
    for (Map.Entry<String, List<String>> e : params.entrySet()) {
      if (hasControl(e.getKey())) {
        throw ApiException.badRequest("$", "a parameter name holds a control character");
      }
      for (String v : e.getValue()) {
        if (hasControl(v)) {
          throw ApiException.badRequest(e.getKey(), "`" + e.getKey() + "` must not contain control characters");
        }
      }
    }
  }

  /** True when {@code s} holds a C0 control character or DEL. */
  public static boolean hasControl(String s) {
    if (s == null) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return true;
      }
    }
    return false;
  }
}

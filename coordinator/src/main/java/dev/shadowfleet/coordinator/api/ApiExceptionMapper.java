package dev.shadowfleet.coordinator.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.shadowfleet.common.config.ParameterException;
import dev.shadowfleet.common.message.MessageException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one place errors become responses: {@code {status, field, message}}, never a stack trace. Bad
 * input is a 4xx naming the field; anything unexpected is a 500 with a generic message (and a log
 * line with the cause).
 */
public class ApiExceptionMapper {
  private static final Logger LOG = Logger.getLogger(ApiExceptionMapper.class);

  @ServerExceptionMapper
  public Response api(ApiException e) {
    return body(e.status(), e.field(), e.getMessage());
  }

  /** A token that is malformed, unknown or revoked, or an Authorization header that is not Bearer. */
  @ServerExceptionMapper
  public Response authenticationFailed(AuthenticationFailedException e) {
    String reason = e.getMessage() == null || e.getMessage().isBlank() ? "the bearer token is not valid" : e.getMessage();
    return challenge(body(401, "Authorization", reason));
  }

  @ServerExceptionMapper
  public Response unauthorized(UnauthorizedException e) {
    return challenge(body(401, "Authorization", "this endpoint needs an API token: Authorization: Bearer sf_…"));
  }

  /** A caller without a token (the open-reads guest) gets 401, one whose token lacks the role 403. */
  @ServerExceptionMapper
  public Response forbidden(ForbiddenException e, HttpHeaders headers) {
    if (headers.getHeaderString(HttpHeaders.AUTHORIZATION) == null) {
      return unauthorized(new UnauthorizedException());
    }
    return body(403, "Authorization", "the token's role may not do this (roles: viewer < researcher < operator)");
  }

  @ServerExceptionMapper
  public Response parameter(ParameterException e) {
    return body(400, e.field(), e.getMessage());
  }

  @ServerExceptionMapper
  public Response message(MessageException e) {
    return body(400, e.field(), e.getMessage());
  }

  /** More specific than Quarkus' own mapper for this type, so the body keeps our shape. */
  @ServerExceptionMapper
  public Response mismatched(MismatchedInputException e) {
    return json(e);
  }

  @ServerExceptionMapper
  public Response json(JsonProcessingException e) {
    if (e instanceof UnrecognizedPropertyException u) {
      String field = path(u, u.getPropertyName());
      return body(400, field, "`" + field + "` is not a known field");
    }
    if (e instanceof InvalidFormatException f) {
      String field = path(f, null);
      return body(400, field, "`" + field + "` has an invalid value: " + f.getValue());
    }
    if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
      String field = path(m, null);
      for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
        if (c instanceof ParameterException pe) {
          return body(400, field + "." + pe.field(), pe.getMessage());
        }
      }
      return body(400, field, "`" + field + "` is missing or has the wrong type");
    }
    return body(400, "$", "the body is not valid JSON: " + firstLine(e.getOriginalMessage()));
  }

  @ServerExceptionMapper
  public Response web(WebApplicationException e) {
    int status = e.getResponse().getStatus();
    if (e.getCause() instanceof JsonProcessingException j) {
      return json(j);
    }
    return body(status, null, status == 404 ? "not found" : firstLine(e.getMessage()));
  }

  @ServerExceptionMapper
  public Response unexpected(Exception e) {
    LOG.error("request failed", e);
    return body(500, null, "internal error; the coordinator log has the cause");
  }

  private static Response challenge(Response r) {
    return Response.fromResponse(r).header("WWW-Authenticate", "Bearer realm=\"shadowfleet\"").build();
  }

  private static Response body(int status, String field, String message) {
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON_TYPE)
        .entity(new ErrorBody(status, field, message))
        .build();
  }

  private static String path(JsonMappingException e, String last) {
    StringBuilder sb = new StringBuilder();
    for (var ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    if (sb.length() == 0) {
      return last == null ? "$" : last;
    }
    return sb.toString();
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}

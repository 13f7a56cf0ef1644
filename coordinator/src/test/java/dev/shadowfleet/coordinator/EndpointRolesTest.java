package dev.shadowfleet.coordinator;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shadowfleet.coordinator.api.SweepResource;
import dev.shadowfleet.coordinator.auth.Roles;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every REST resource of the coordinator declares who may call it: a class-level {@code @RolesAllowed}
 * (reads), and every write method (POST/PUT/PATCH/DELETE) a method-level one above {@code viewer}. A new
 * endpoint without them fails here instead of being open.
 */
class EndpointRolesTest {

  @Test
  void everyResourceAndEveryWriteDeclaresItsRoles() throws Exception {
    java.nio.file.Path root = java.nio.file.Path.of(SweepResource.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> problems = new ArrayList<>();
    int resources = 0;
    int writes = 0;
    try (Stream<java.nio.file.Path> files = Files.walk(root.resolve("dev/shadowfleet/coordinator"))) {
      for (java.nio.file.Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
        String name = root.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
        Class<?> c = Class.forName(name, false, getClass().getClassLoader());
        if (!c.isAnnotationPresent(Path.class)) {
          continue;
        }
        resources++;
        if (!c.isAnnotationPresent(RolesAllowed.class) && !c.isAnnotationPresent(PermitAll.class)) {
          problems.add(c.getSimpleName() + " has no class-level @RolesAllowed");
        }
        for (Method m : c.getDeclaredMethods()) {
          boolean write = m.isAnnotationPresent(POST.class) || m.isAnnotationPresent(PUT.class)
              || m.isAnnotationPresent(PATCH.class) || m.isAnnotationPresent(DELETE.class);
          if (!write) {
            continue;
          }
          writes++;
          RolesAllowed r = m.isAnnotationPresent(RolesAllowed.class) ? m.getAnnotation(RolesAllowed.class) : c.getAnnotation(RolesAllowed.class);
          if (r == null || Arrays.asList(r.value()).contains(Roles.VIEWER) || m.isAnnotationPresent(PermitAll.class)) {
            problems.add(c.getSimpleName() + "." + m.getName() + " writes but viewers (or anyone) may call it");
          }
        }
      }
    }
    assertTrue(resources >= 5 && writes >= 5, resources + " resources, " + writes + " writes found");
    assertTrue(problems.isEmpty(), problems.toString());
  }
}

package dev.shadowfleet.launcher;

import java.nio.file.Path;

/**
 * What the launcher starts its children from: the repository checkout (coordinator build, bundled
 * models) and the classpath of the broker and worker JVMs (this module's runtime classpath, which holds
 * Apache Kafka's server jars and the gpu-worker module).
 *
 * @param repo the checkout; {@code ./shadowfleet-local} passes it as {@code -Dshadowfleet.repo}
 * @param classpath classpath of the Kafka broker and worker children
 */
public record Launch(Path repo, String classpath) {
  /** System property naming the repository checkout. */
  public static final String REPO_PROPERTY = "shadowfleet.repo";

  public Launch {
    repo = repo.toAbsolutePath().normalize();
  }

  /** {@code -Dshadowfleet.repo} (else the working directory) and this JVM's classpath. */
  public static Launch fromSystem() {
    return new Launch(
        Path.of(System.getProperty(REPO_PROPERTY, "")), System.getProperty("java.class.path"));
  }

  /** The coordinator's Quarkus fast-jar launcher. */
  public Path coordinatorJar() {
    return repo.resolve("coordinator/target/quarkus-app/quarkus-run.jar");
  }

  /** The bundled models ({@code <id>.json} cards next to their files). */
  public Path modelsDir() {
    return repo.resolve("models");
  }
}

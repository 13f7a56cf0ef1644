package dev.shadowfleet.launcher;

import java.nio.file.Path;

/**
 * What the launcher starts its children from: the repository checkout (coordinator build, bundled
 * models) and the classpath of the broker and worker JVMs (this module's runtime classpath, which holds
 * Apache Kafka's server jars and the gpu-worker module).
 *
 * @param repo the checkout; {@code ./shadowfleet-local} passes it as {@code -Dshadowfleet.repo}
 * @param classpath classpath of the Kafka broker and worker children
 * @param modelsDir the model cards and files workers load and {@code up} registers (default: the
 *     bundled {@code models/})
 */
public record Launch(Path repo, String classpath, Path modelsDir) {
  /** System property naming the repository checkout. */
  public static final String REPO_PROPERTY = "shadowfleet.repo";

  public Launch {
    repo = repo.toAbsolutePath().normalize();
    modelsDir = modelsDir == null ? repo.resolve("models") : modelsDir.toAbsolutePath().normalize();
  }

  /** {@code -Dshadowfleet.repo} (else the working directory) and this JVM's classpath. */
  public static Launch fromSystem() {
    return new Launch(
        Path.of(System.getProperty(REPO_PROPERTY, "")), System.getProperty("java.class.path"), null);
  }

  /** The same launch with another models directory (null: the bundled one). */
  public Launch withModelsDir(Path dir) {
    return new Launch(repo, classpath, dir);
  }

  /** The coordinator's Quarkus fast-jar launcher. */
  public Path coordinatorJar() {
    return repo.resolve("coordinator/target/quarkus-app/quarkus-run.jar");
  }

}

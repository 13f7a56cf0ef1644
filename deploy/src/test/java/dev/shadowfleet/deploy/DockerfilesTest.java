package dev.shadowfleet.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The three Dockerfiles: stages, base images, non-root users, versions, and what they copy and run. */
class DockerfilesTest {
  private static final String COORDINATOR = "deploy/docker/Dockerfile.coordinator";
  private static final String WORKER = "deploy/docker/Dockerfile.worker";
  private static final String CUDA = "deploy/docker/Dockerfile.worker-cuda";
  private static final String CLI_MAIN = "dev.shadowfleet.worker.cli.ShadowfleetCli";

  /** One instruction: keyword and its (continuation-joined) arguments. */
  record Instruction(String keyword, String args) {}

  /** A build stage: its FROM arguments and instructions. */
  record Stage(String from, String name, List<Instruction> body) {
    List<String> args(String keyword) {
      return body.stream().filter(i -> i.keyword.equals(keyword)).map(Instruction::args).toList();
    }

    String all(String keyword) {
      return String.join("\n", args(keyword));
    }
  }

  static List<Stage> parse(String relative) {
    String text = Repo.read(relative);
    assertTrue(text.startsWith("# syntax=docker/dockerfile:1"), relative + ": BuildKit syntax line (cache mounts)");
    List<String> logical = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (String raw : text.split("\n")) {
      String line = raw.strip();
      if (line.startsWith("#") || (line.isEmpty() && cur.length() == 0)) {
        continue; // comments, also inside continued instructions, as Docker's parser does
      }
      if (line.endsWith("\\")) {
        cur.append(line, 0, line.length() - 1).append(' ');
        continue;
      }
      cur.append(line);
      if (cur.length() > 0) {
        logical.add(cur.toString());
      }
      cur.setLength(0);
    }
    List<Stage> stages = new ArrayList<>();
    List<Instruction> preamble = new ArrayList<>();
    for (String l : logical) {
      int sp = l.indexOf(' ');
      String kw = l.substring(0, sp).toUpperCase();
      String args = l.substring(sp + 1).strip();
      if (kw.equals("FROM")) {
        String[] parts = args.split("\\s+");
        String name = parts.length == 3 && parts[1].equalsIgnoreCase("AS") ? parts[2] : null;
        stages.add(new Stage(parts[0], name, new ArrayList<>()));
      } else if (stages.isEmpty()) {
        preamble.add(new Instruction(kw, args));
      } else {
        stages.get(stages.size() - 1).body().add(new Instruction(kw, args));
      }
    }
    assertFalse(stages.isEmpty(), relative + " has no FROM");
    return stages;
  }

  @Test
  void coordinatorBuildsWithTheWrapperOnAJdkAndRunsTheFastJarOnAJreAsNonRoot() {
    List<Stage> stages = parse(COORDINATOR);
    Stage build = stage(stages, "build");
    assertTrue(build.from().startsWith("eclipse-temurin:17-jdk"), build.from());
    assertTrue(build.all("RUN").contains("./mvnw -B -q package -DskipTests -pl coordinator -am"));
    Stage run = stages.get(stages.size() - 1);
    assertTrue(run.from().startsWith("eclipse-temurin:17-jre"), run.from());
    assertNonRootUser(run, COORDINATOR);
    for (String part : List.of("quarkus-app/lib/", "quarkus-app/app/", "quarkus-app/quarkus/", "quarkus-app/quarkus-run.jar")) {
      assertTrue(run.args("COPY").stream().anyMatch(c -> c.startsWith("--from=build ")
          && c.contains(" /src/coordinator/target/" + part + " ")), "copies " + part + " from the build stage");
    }
    assertTrue(run.all("ENTRYPOINT").contains("-jar /deployments/quarkus-run.jar"));
    assertEquals(ComposeFileTest.quarkusHttpPort(), run.all("EXPOSE"));
    // The fast-jar is Quarkus' default package type: nothing may switch it to another layout.
    assertFalse(Repo.read(ConfigKeys.COORDINATOR_PROPERTIES).contains("quarkus.package.jar.type"));
    // curl serves the compose healthcheck.
    assertTrue(run.all("RUN").contains("curl"));
  }

  @Test
  void cpuWorkerRunsTheCliOfflineWithTheNativesUnpackedAtBuildTime() {
    List<Stage> stages = parse(WORKER);
    Stage build = stage(stages, "build");
    assertTrue(build.from().startsWith("eclipse-temurin:17-jdk"), build.from());
    String runs = build.all("RUN");
    assertTrue(runs.contains("-pl gpu-worker -am") && runs.contains("dependency:copy-dependencies -DincludeScope=runtime"));
    assertTrue(runs.contains("java -Dai.djl.offline=true -cp '/out/lib/*' deploy/docker/DjlWarmup.java"));
    assertTrue(Files.isRegularFile(Repo.path("deploy/docker/DjlWarmup.java")));
    // The CPU natives come from the pytorch-native-cpu jar the worker depends on.
    assertTrue(Repo.read("gpu-worker/pom.xml").contains("<artifactId>pytorch-native-cpu</artifactId>"));
    Stage run = stages.get(stages.size() - 1);
    assertTrue(run.from().startsWith("eclipse-temurin:17-jre"), run.from());
    assertWorkerRuntime(run, WORKER);
    assertEquals("cpu", env(run).get("SHADOWFLEET_DEVICE"));
    assertTrue(run.all("COPY").contains("--from=build --chown=10001:10001 /opt/djl/ /opt/djl/"));
    assertEquals("/opt/djl", env(run).get("DJL_CACHE_DIR"));
  }

  @Test
  void cudaWorkerPinsPyTorchCudaAndDjlToTheBuildsVersionsAndDownloadsOnlyAtBuildTime() throws IOException {
    List<Stage> stages = parse(CUDA);
    Map<String, String> args = globalArgs(CUDA);
    String pytorch = Repo.pomProperty("pytorch.version");
    String djl = Repo.pomProperty("djl.version");
    assertEquals(pytorch, args.get("PYTORCH_VERSION"));
    assertEquals(djl, args.get("DJL_VERSION"));
    assertEquals(pytorch + "-" + djl, Repo.pomProperty("pytorch-jni.version"));
    String flavor = args.get("PYTORCH_FLAVOR");
    Matcher cu = Pattern.compile("cu(1\\d)(\\d)").matcher(flavor);
    assertTrue(cu.matches(), "a CUDA 1x.y flavor: " + flavor);

    // The pytorch-jni jar of the build carries the JNI bridge for this flavor, at this version.
    String jni = "jnilib/linux-x86_64/" + flavor + "/libdjl_torch.so";
    assertNotNull(getClass().getClassLoader().getResource(jni), "pytorch-jni has no " + jni);
    Properties p = new Properties();
    try (InputStream in = getClass().getClassLoader().getResourceAsStream("jnilib/pytorch.properties")) {
      p.load(in);
    }
    assertEquals(pytorch + "-" + djl, p.getProperty("jni_version"));

    Stage run = stages.get(stages.size() - 1);
    // The CUDA runtime image matches the flavor's CUDA version (cu128 -> 12.8.x).
    Matcher base = Pattern.compile("nvidia/cuda:(\\d+)\\.(\\d+)\\.\\d+-runtime-ubuntu\\d+\\.\\d+").matcher(run.from());
    assertTrue(base.matches(), run.from());
    assertEquals(cu.group(1) + "." + cu.group(2), base.group(1) + "." + base.group(2));
    assertWorkerRuntime(run, CUDA);
    Map<String, String> env = env(run);
    assertEquals("gpu", env.get("SHADOWFLEET_DEVICE"));
    assertEquals("/opt/libtorch/lib", env.get("PYTORCH_LIBRARY_PATH"));
    assertEquals("${PYTORCH_VERSION}", env.get("PYTORCH_VERSION"));
    assertEquals("${PYTORCH_FLAVOR}", env.get("PYTORCH_FLAVOR"));
    assertEquals("/opt/djl", env.get("DJL_CACHE_DIR"));

    Stage build = stage(stages, "build");
    String runs = build.all("RUN");
    // libtorch for the flavor is fetched while the image is built...
    assertTrue(runs.contains("https://publish.djl.ai/pytorch/${PYTORCH_VERSION}"));
    assertTrue(runs.contains("^${PYTORCH_FLAVOR}/linux-x86_64/native/lib/"));
    assertTrue(runs.contains("test -f /opt/libtorch/lib/libtorch_cuda.so"), "the build fails without CUDA libtorch");
    // ...and the JNI library is placed where DJL looks before extracting or downloading anything:
    // <DJL_CACHE_DIR>/pytorch/<version>-<flavor>-<classifier>/<djl version>-libdjl_torch.so
    assertTrue(runs.contains("dir=\"/opt/djl/pytorch/${PYTORCH_VERSION}-${PYTORCH_FLAVOR}-linux-x86_64\""));
    assertTrue(runs.contains("\"$dir/${DJL_VERSION}-libdjl_torch.so\""));
    assertTrue(runs.contains("rm -f /out/lib/pytorch-native-cpu-*.jar"));
    // ...never when a job runs: the running image downloads nothing.
    assertFalse(run.all("RUN").contains("publish.djl.ai"));
    assertFalse(run.all("ENTRYPOINT").contains("http"));
  }

  @Test
  void copiedSourcesExistAndAreNotIgnoredAndBaseImagesArePinned() {
    Set<String> ignore = new TreeSet<>();
    for (String l : Repo.read(".dockerignore").split("\n")) {
      if (!l.isBlank() && !l.startsWith("#")) {
        ignore.add(l.strip());
      }
    }
    assertTrue(ignore.containsAll(Set.of(".git", "**/target")), ".dockerignore: " + ignore);
    for (String file : List.of(COORDINATOR, WORKER, CUDA)) {
      Set<String> stageNames = new TreeSet<>();
      for (Stage s : parse(file)) {
        assertTrue(stageNames.contains(s.from()) || s.from().matches("[a-z0-9./_-]+:[A-Za-z0-9._-]+"),
            file + ": base image with an explicit tag: " + s.from());
        assertFalse(s.from().endsWith(":latest"), file + ": " + s.from());
        if (s.name() != null) {
          stageNames.add(s.name());
        }
        for (String copy : s.args("COPY")) {
          if (copy.contains("--from=")) {
            Matcher from = Pattern.compile("--from=(\\S+)").matcher(copy);
            from.find();
            String src = from.group(1);
            assertTrue(stageNames.contains(src) || src.contains(":"), file + ": COPY from unknown stage " + src);
            continue;
          }
          String[] parts = copy.replaceAll("--\\S+", "").strip().split("\\s+");
          for (int i = 0; i < parts.length - 1; i++) {
            String src = parts[i];
            if (src.equals(".")) {
              continue;
            }
            assertTrue(Files.exists(Repo.path(src)), file + ": COPY source " + src + " does not exist");
            assertFalse(ignore.contains(src) || src.contains("target"), file + ": COPY source " + src + " is ignored");
          }
        }
      }
    }
  }

  @Test
  void dockerfileEnvironmentUsesOnlyKeysTheCodeReads() {
    Set<String> unknown = new TreeSet<>();
    Set<String> worker = ConfigKeys.worker();
    for (String file : List.of(WORKER, CUDA)) {
      env(parse(file).get(parse(file).size() - 1)).keySet().stream()
          .filter(k -> !worker.contains(k) && !Set.of("JAVA_HOME", "PATH", "GLIBC_TUNABLES").contains(k))
          .forEach(k -> unknown.add(file + ": " + k));
    }
    Set<String> coordinator = ConfigKeys.coordinator();
    List<Stage> c = parse(COORDINATOR);
    env(c.get(c.size() - 1)).keySet().stream().filter(k -> !coordinator.contains(k))
        .forEach(k -> unknown.add(COORDINATOR + ": " + k));
    assertEquals(Set.of(), unknown);
  }

  @Test
  void theWorkerSubcommandTheImagesRunIsRegisteredInTheCli() {
    String sources = Repo.javaSources(ConfigKeys.WORKER_SOURCES);
    Matcher m = Pattern.compile("@Command\\(\\s*name\\s*=\\s*\"worker\"[\\s\\S]*?class\\s+(\\w+)").matcher(sources);
    assumeTrue(m.find(), "the `worker` subcommand is not in this tree yet");
    String cli = Repo.read(ConfigKeys.WORKER_SOURCES + "/dev/shadowfleet/worker/cli/ShadowfleetCli.java");
    assertTrue(cli.contains(m.group(1) + ".class"), "ShadowfleetCli must list " + m.group(1));
  }

  // ---- helpers ---------------------------------------------------------------------------------------------

  private static void assertWorkerRuntime(Stage run, String file) {
    assertNonRootUser(run, file);
    String entry = run.all("ENTRYPOINT");
    assertTrue(entry.contains("-Dai.djl.offline=true"), file + ": DJL offline at run time");
    assertTrue(entry.contains("-cp '/app/lib/*' " + CLI_MAIN), file + ": runs the CLI");
    assertTrue(Files.isRegularFile(Repo.path(ConfigKeys.WORKER_SOURCES + "/" + CLI_MAIN.replace('.', '/') + ".java")));
    assertEquals("[\"worker\"]", run.all("CMD"));
    Matcher port = Pattern.compile("ENV_HTTP_PORT,\\s*(\\d+)\\)").matcher(Repo.read(ConfigKeys.WORKER_CONFIG));
    assertTrue(port.find(), "WorkerConfig's default HTTP port");
    assertEquals(port.group(1), run.all("EXPOSE"), file + ": EXPOSE the worker's health/metrics port");
    String copies = run.all("COPY");
    assertTrue(copies.contains("--from=build /src/models/ /app/models/"), file + ": bundled models");
    assertTrue(copies.contains("--from=fashion-mnist /usr/share/datasets/fashion-mnist/"), file + ": Fashion-MNIST");
    assertEquals("/app/models", env(run).get("SHADOWFLEET_MODELS_DIR"));
    Matcher malloc = Pattern.compile("MALLOC_TUNABLES = \"([^\"]+)\"")
        .matcher(Repo.read("launcher/src/main/java/dev/shadowfleet/launcher/WorkerSettings.java"));
    assertTrue(malloc.find(), "WorkerSettings.MALLOC_TUNABLES");
    assertEquals(malloc.group(1), env(run).get("GLIBC_TUNABLES"),
        file + ": the same malloc settings as a local worker");
    assertEquals("WORKER_MALLOC_TUNABLES=" + malloc.group(1),
        Repo.read("tools/bench/worker_malloc.sh").lines().filter(l -> l.startsWith("WORKER_MALLOC_TUNABLES="))
            .findFirst().orElse(""), "tools/bench/worker_malloc.sh: the benchmarks' malloc settings");
  }

  private static void assertNonRootUser(Stage run, String file) {
    List<String> users = run.args("USER");
    assertFalse(users.isEmpty(), file + ": the final stage sets USER");
    String user = users.get(users.size() - 1).split(":")[0];
    assertFalse(Set.of("root", "0").contains(user), file + ": runs as " + user);
  }

  private static Stage stage(List<Stage> stages, String name) {
    return stages.stream().filter(s -> name.equals(s.name())).findFirst()
        .orElseThrow(() -> new AssertionError("no stage " + name));
  }

  /** ENV KEY=VALUE pairs of a stage (values with quotes kept as written, unquoted). */
  private static Map<String, String> env(Stage s) {
    Map<String, String> out = new LinkedHashMap<>();
    Matcher m = Pattern.compile("(\\w+)=(\"[^\"]*\"|\\S+)").matcher(s.all("ENV"));
    while (m.find()) {
      out.put(m.group(1), m.group(2).replace("\"", ""));
    }
    return out;
  }

  /** ARG NAME=default lines before the first FROM. */
  private static Map<String, String> globalArgs(String file) {
    Map<String, String> out = new LinkedHashMap<>();
    String text = Repo.read(file);
    String preamble = text.substring(0, text.indexOf("\nFROM "));
    Matcher m = Pattern.compile("(?m)^ARG (\\w+)=(\\S+)").matcher(preamble);
    while (m.find()) {
      out.put(m.group(1), m.group(2));
    }
    return out;
  }
}

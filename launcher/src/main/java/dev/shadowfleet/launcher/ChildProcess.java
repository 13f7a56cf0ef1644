package dev.shadowfleet.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One child process of the launcher (broker, coordinator, worker): stdout and stderr appended to one log
 * file, stopped with SIGTERM and, after a deadline, SIGKILL — its own children included.
 */
public final class ChildProcess {
  private final String name;
  private final Process process;
  private final Path logFile;

  private ChildProcess(String name, Process process, Path logFile) {
    this.name = name;
    this.process = process;
    this.logFile = logFile;
  }

  /**
   * Starts {@code command} with {@code env} added to this process's environment.
   *
   * @param logFile stdout and stderr are appended here (the directory is created)
   */
  public static ChildProcess start(
      String name, List<String> command, Map<String, String> env, Path workDir, Path logFile) {
    try {
      Files.createDirectories(logFile.toAbsolutePath().getParent());
      ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
      pb.environment().putAll(env);
      pb.redirectErrorStream(true);
      pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
      pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      return new ChildProcess(name, pb.start(), logFile);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + e.getMessage(), e);
    }
  }

  /** A java child: {@code java <jvmOptions> -cp <classpath> <mainClass> <args>}. */
  public static ChildProcess java(
      String name,
      List<String> jvmOptions,
      String classpath,
      String mainClass,
      List<String> args,
      Map<String, String> env,
      Path workDir,
      Path logFile) {
    var cmd = new java.util.ArrayList<String>();
    cmd.add(javaExecutable());
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(classpath);
    cmd.add(mainClass);
    cmd.addAll(args);
    return start(name, cmd, env, workDir, logFile);
  }

  /** The java launcher of the running JVM, so children run on the same JDK. */
  public static String javaExecutable() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  public String name() {
    return name;
  }

  public long pid() {
    return process.pid();
  }

  public Path logFile() {
    return logFile;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Exit code, or -1 while running. */
  public int exitCode() {
    return process.isAlive() ? -1 : process.exitValue();
  }

  /** Waits up to {@code timeout} for the process to exit by itself; true when it has. */
  public boolean waitFor(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * SIGTERM to the process and its descendants, then SIGKILL to whatever is still alive after {@code
   * grace}. Returns when every one of them is gone (or after a further 10 s, which only a process stuck in
   * the kernel needs).
   */
  public void stop(Duration grace) {
    List<ProcessHandle> all = family();
    all.forEach(ProcessHandle::destroy);
    awaitExit(all, grace);
    kill();
  }

  /** SIGKILL to the process and its descendants, now (fault injection; the end of {@link #stop}). */
  public void kill() {
    List<ProcessHandle> all = family();
    all.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    awaitExit(all, Duration.ofSeconds(10));
  }

  private List<ProcessHandle> family() {
    var all = new java.util.ArrayList<ProcessHandle>();
    all.add(process.toHandle());
    process.descendants().forEach(all::add);
    return all;
  }

  private static void awaitExit(List<ProcessHandle> handles, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (ProcessHandle h : handles) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return;
      }
      try {
        h.onExit().get(left, TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        return;
      } catch (java.util.concurrent.ExecutionException e) {
        // onExit never fails; treat like exited
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** The last {@code lines} lines of the log, for error messages. */
  public String logTail(int lines) {
    return tail(logFile, lines);
  }

  static String tail(Path file, int lines) {
    try {
      if (!Files.exists(file)) {
        return "";
      }
      List<String> all = Files.readAllLines(file, java.nio.charset.StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  @Override
  public String toString() {
    return name + " (pid " + pid() + ")";
  }
}

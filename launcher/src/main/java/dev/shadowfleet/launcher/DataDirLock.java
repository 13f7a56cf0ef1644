package dev.shadowfleet.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * One launcher per data directory: an OS file lock on {@code launcher.lock} (released by the kernel when
 * the process dies, however it dies) and the owner's pid in {@code launcher.pid}.
 */
public final class DataDirLock implements AutoCloseable {
  /** Another launcher holds the data directory. */
  public static final class HeldException extends RuntimeException {
    HeldException(String message) {
      super(message);
    }
  }

  private final DataDir dir;
  private final FileChannel channel;
  private final FileLock lock;

  private DataDirLock(DataDir dir, FileChannel channel, FileLock lock) {
    this.dir = dir;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock, or throws {@link HeldException} naming the pid that holds it.
   *
   * @throws UncheckedIOException when the directory cannot be created or written
   */
  public static DataDirLock acquire(DataDir dir) {
    try {
      Files.createDirectories(dir.root());
      FileChannel ch =
          FileChannel.open(dir.lockFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        ch.close();
        throw new HeldException(
            "another launcher"
                + holder(dir).map(pid -> " (pid " + pid + ")").orElse("")
                + " is running on "
                + dir.root()
                + "; stop it first (Ctrl-C in its terminal, or ./shadowfleet-local down"
                + " --data-dir "
                + dir.root()
                + ")");
      }
      Files.writeString(
          dir.pidFile(), ProcessHandle.current().pid() + "\n", StandardCharsets.UTF_8);
      return new DataDirLock(dir, ch, lock);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock " + dir.root() + ": " + e.getMessage(), e);
    }
  }

  /** The pid in {@code launcher.pid} when that process is alive (the lock may be held). */
  public static Optional<Long> holder(DataDir dir) {
    try {
      if (!Files.exists(dir.pidFile())) {
        return Optional.empty();
      }
      long pid = Long.parseLong(Files.readString(dir.pidFile(), StandardCharsets.UTF_8).trim());
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(h -> pid);
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    try {
      Files.deleteIfExists(dir.pidFile());
      lock.release();
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot release " + dir.lockFile(), e);
    }
  }
}

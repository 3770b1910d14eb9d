package dev.shoal.worker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/** "test-file:/path": each beat appends a line to the file, so that a test can count them. */
public final class FileHeartbeatProvider implements HeartbeatProvider {
  @Override
  public String scheme() {
    return "test-file";
  }

  @Override
  public Heartbeat create(URI target, Map<String, String> transportSettings) {
    Path file = Path.of(target.getPath());
    return () -> {
      try {
        Files.writeString(file, "beat\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
  }
}

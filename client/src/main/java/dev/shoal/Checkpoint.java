package dev.shoal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shoal.app.EncodingException;
import dev.shoal.internal.codec.JsonCodec;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An append-only file of memoized results, one JSON object per line. Each line goes to the file
 * in a single write, so a crash can only tear the last line; reading ignores a torn or garbled
 * line, and reopening cuts a torn tail off so the next line starts clean. The file is locked
 * while open: two writers at once would write over each other's lines.
 */
final class Checkpoint implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(Checkpoint.class);

  private final Path file;
  private final JsonCodec codec;
  private final FileChannel channel;
  private final Map<String, JsonNode> loaded;

  private Checkpoint(Path file, JsonCodec codec, FileChannel channel, Map<String, JsonNode> loaded) {
    this.file = file;
    this.codec = codec;
    this.channel = channel;
    this.loaded = loaded;
  }

  /** @throws IllegalStateException if another open checkpoint (in this process or another) holds the file */
  static Checkpoint open(Path file, JsonCodec codec) {
    FileChannel channel = null;
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      lock(channel, file);
      Map<String, JsonNode> entries = new HashMap<>();
      long keep = read(readAll(channel), file, codec, entries);
      if (channel.size() > keep) {
        log.warn("checkpoint {}: ignoring a torn last line ({} bytes)", file, channel.size() - keep);
        channel.truncate(keep);
      }
      channel.position(keep);
      return new Checkpoint(file, codec, channel, entries);
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException closing) {
          e.addSuppressed(closing);
        }
      }
      if (e instanceof IOException io) {
        throw new UncheckedIOException("cannot open checkpoint " + file, io);
      }
      throw (RuntimeException) e;
    }
  }

  private static void lock(FileChannel channel, Path file) throws IOException {
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null; // held through another channel of this process
    } catch (IOException e) {
      // Some file systems cannot lock: run unguarded rather than not at all.
      log.warn("checkpoint {}: cannot lock it ({}); nothing stops a second kernel from writing it at the same time",
          file, e.toString());
      return;
    }
    if (lock == null) {
      throw new IllegalStateException("checkpoint " + file + " is in use by another open kernel: close that one"
          + " first, or give this kernel a checkpoint file of its own");
    }
  }

  /** Through the locked channel: where locks are mandatory, another handle could not read the file. */
  private static byte[] readAll(FileChannel channel) throws IOException {
    long size = channel.size();
    if (size > Integer.MAX_VALUE - 8) {
      throw new IOException("the file is too large (" + size + " bytes)");
    }
    ByteBuffer buffer = ByteBuffer.allocate((int) size);
    while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) >= 0) {
      // reads until full or at the end
    }
    return buffer.array();
  }

  /** Reads every complete line; returns the length of the file up to its last newline. */
  private static long read(byte[] bytes, Path file, JsonCodec codec, Map<String, JsonNode> into) {
    int start = 0;
    int lineNumber = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] != '\n') {
        continue;
      }
      lineNumber++;
      if (i > start) {
        try {
          JsonNode line = codec.mapper().readTree(bytes, start, i - start);
          JsonNode key = line.get("key");
          if (key == null || !key.isTextual() || !line.has("result")) {
            throw new IOException("no key or result");
          }
          into.put(key.asText(), line.get("result"));
        } catch (IOException e) {
          log.warn("checkpoint {}: skipping unreadable line {}: {}", file, lineNumber, e.getMessage());
        }
      }
      start = i + 1;
    }
    return start;
  }

  Map<String, JsonNode> loaded() {
    return loaded;
  }

  Path file() {
    return file;
  }

  /** Appends a result; a result that cannot be encoded is skipped with a warning. */
  void append(String key, String app, String version, Object result) {
    byte[] line;
    try {
      ObjectNode node = codec.mapper().createObjectNode();
      node.put("key", key).put("app", app).put("version", version).set("result", codec.toTree(result));
      line = (codec.encodeToString(node) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (EncodingException e) {
      log.warn("checkpoint {}: not saving the result of {}: {}", file, app, e.getMessage());
      return;
    }
    synchronized (this) {
      try {
        ByteBuffer buffer = ByteBuffer.wrap(line);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
      } catch (IOException e) {
        log.warn("checkpoint {}: could not append the result of {}: {}", file, app, e.toString());
      }
    }
  }

  @Override
  public synchronized void close() throws IOException {
    channel.force(false);
    channel.close();
  }
}

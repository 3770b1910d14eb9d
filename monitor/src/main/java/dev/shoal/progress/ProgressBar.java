package dev.shoal.progress;

import dev.shoal.monitor.RunEnd;
import dev.shoal.monitor.RunInfo;
import dev.shoal.monitor.RunListener;
import dev.shoal.monitor.TaskEvent;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One line on a terminal that a run redraws as it goes: a bar, tasks done / failed / running /
 * waiting, the rate over the last seconds and the time left at that rate.
 *
 * <pre>{@code [#########.........]  412/1,000 done, 3 failed, 8 running, 577 waiting | 81.4/s | ETA 0:07}</pre>
 *
 * <p>{@link #forTerminal()} gives one only when the program's output is a terminal (and not a CI
 * log, nor {@code TERM=dumb}): in a pipe or a log file a redrawn line is noise.
 */
public final class ProgressBar implements RunListener {
  private static final Duration REDRAW = Duration.ofMillis(250);
  private static final Duration RATE_WINDOW = Duration.ofSeconds(10);

  private final PrintStream out;
  private final int width;
  private final LongSupplier nanoClock;
  private final ProgressCounter counter = new ProgressCounter();
  /** (nanos, finished) pairs over the rate window; touched by the redraw thread alone. */
  private final ArrayDeque<long[]> history = new ArrayDeque<>();
  private final ScheduledExecutorService redraw;
  private volatile boolean closed;
  private int lastLength;

  ProgressBar(PrintStream out, int width, LongSupplier nanoClock, boolean redrawItself) {
    this.out = Objects.requireNonNull(out, "out");
    this.width = Math.max(40, width);
    this.nanoClock = nanoClock;
    this.redraw = redrawItself ? Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "shoal-progress");
      thread.setDaemon(true);
      return thread;
    }) : null;
  }

  /** A bar on standard error if it is a terminal; otherwise a listener that does nothing. */
  public static RunListener forTerminal() {
    return isTerminal(System.getenv(), System.console() != null) ? onStream(System.err, terminalWidth()) : RunListener.none();
  }

  /** A bar drawn on this stream, whatever it is. */
  public static ProgressBar onStream(PrintStream out, int width) {
    return new ProgressBar(out, width, System::nanoTime, true);
  }

  /** Whether a redrawn line makes sense here: a console, not a dumb terminal, not a CI job. */
  static boolean isTerminal(Map<String, String> env, boolean console) {
    if (!console || "dumb".equals(env.get("TERM"))) {
      return false;
    }
    return env.get("CI") == null && env.get("GITHUB_ACTIONS") == null && env.get("JENKINS_URL") == null;
  }

  private static int terminalWidth() {
    try {
      return Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "100"));
    } catch (NumberFormatException e) {
      return 100;
    }
  }

  @Override
  public void runStarted(RunInfo run) {
    if (redraw != null) {
      redraw.scheduleWithFixedDelay(this::draw, REDRAW.toMillis(), REDRAW.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public void task(TaskEvent event) {
    counter.task(event);
  }

  @Override
  public void runEnded(RunEnd end) {
    stopRedrawing();
    synchronized (this) {
      out.print('\r' + pad(line(counter.counts(), nanoClock.getAsLong())));
      out.println();
      out.flush();
    }
  }

  /** Redraws the line. */
  synchronized void draw() {
    if (closed) {
      return;
    }
    out.print('\r' + pad(line(counter.counts(), nanoClock.getAsLong())));
    out.flush();
  }

  private String pad(String line) {
    // Blanks over what a longer previous line left behind.
    String padded = line.length() < lastLength ? line + " ".repeat(lastLength - line.length()) : line;
    lastLength = line.length();
    return padded;
  }

  /** The line for these counts at this moment; remembers them for the rate. */
  String line(TaskCounts counts, long now) {
    history.addLast(new long[] {now, counts.finished()});
    while (history.size() > 2 && now - history.peekFirst()[0] > RATE_WINDOW.toNanos()) {
      history.removeFirst();
    }
    long[] oldest = history.peekFirst();
    double seconds = (now - oldest[0]) / 1e9;
    double rate = seconds > 0 ? (counts.finished() - oldest[1]) / seconds : 0;
    long left = counts.submitted() - counts.finished();
    String eta = rate > 0 && left > 0 ? " | ETA " + clock(Duration.ofSeconds((long) Math.ceil(left / rate))) : "";
    String text = String.format(Locale.ROOT, " %,d/%,d done, %,d failed, %,d running, %,d waiting | %.1f/s%s",
        counts.done(), counts.submitted(), counts.failed(), counts.running(), counts.waiting(), rate, eta);
    int barWidth = Math.max(10, Math.min(40, width - text.length() - 3));
    int filled = counts.submitted() == 0 ? 0 : (int) (barWidth * counts.finished() / counts.submitted());
    return "[" + "#".repeat(filled) + ".".repeat(barWidth - filled) + "]" + text;
  }

  private static String clock(Duration left) {
    long hours = left.toHours();
    return hours > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", hours, left.toMinutesPart(), left.toSecondsPart())
        : String.format(Locale.ROOT, "%d:%02d", left.toMinutesPart(), left.toSecondsPart());
  }

  private void stopRedrawing() {
    closed = true;
    if (redraw != null) {
      redraw.shutdownNow();
      try {
        redraw.awaitTermination(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    stopRedrawing();
  }
}

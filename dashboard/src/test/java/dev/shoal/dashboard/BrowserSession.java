package dev.shoal.dashboard;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.shoal.testing.Await;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's chromium, headless, driven through its chromedriver. Both are named by path, so that
 * Selenium Manager never runs (and SE_OFFLINE, set by the build, keeps it from downloading
 * anything if it did). Without them the browser tests are skipped, saying so.
 */
final class BrowserSession implements AutoCloseable {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Duration WAIT = Duration.ofSeconds(60);
  private static final int WIDTH = 1440;

  private final ChromeDriver driver;

  private BrowserSession(ChromeDriver driver) {
    this.driver = driver;
  }

  static boolean available() {
    return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
  }

  /**
   * Skips the calling test, with the reason, where chromium or its driver is not installed. Call it
   * per test ({@code @BeforeEach}): a class whose {@code @BeforeAll} is skipped shows up in the build's
   * summary as no tests at all, its reason unseen.
   */
  static void assumeBrowser() {
    assumeTrue(Files.isExecutable(CHROMIUM), "no " + CHROMIUM + ": install Debian's chromium and chromium-driver "
        + "(apt-get install chromium chromium-driver) to run the browser tests");
    assumeTrue(Files.isExecutable(CHROMEDRIVER), "no " + CHROMEDRIVER + ": install Debian's chromium-driver "
        + "(apt-get install chromium-driver) to run the browser tests");
  }

  /** A browser; or null, where none is installed (each test then skips, see {@link #assumeBrowser()}). */
  static BrowserSession startIfAvailable() {
    if (!available()) {
      return null;
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-background-networking", "--disable-dev-shm-usage",
        "--disable-gpu", "--window-size=" + WIDTH + ",1000", "--lang=en-US");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
        .usingAnyFreePort()
        .build();
    return new BrowserSession(new ChromeDriver(service, options));
  }

  ChromeDriver driver() {
    return driver;
  }

  void open(String url) {
    driver.get(url);
  }

  /** Runs a script in the page; null when it throws (the page is between two states). */
  Object js(String script, Object... arguments) {
    try {
      return driver.executeScript(script, arguments);
    } catch (JavascriptException e) {
      return null;
    }
  }

  long count(String selector) {
    Object count = js("return document.querySelectorAll(arguments[0]).length", selector);
    return count == null ? -1 : (Long) count;
  }

  /** What the element shows, as a user reads it; null without such an element. */
  String text(String selector) {
    return (String) js("const e = document.querySelector(arguments[0]); return e ? e.innerText : null;", selector);
  }

  /** The element's text exactly, whitespace and all; null without such an element. */
  String textContent(String selector) {
    return (String) js("const e = document.querySelector(arguments[0]); return e ? e.textContent : null;", selector);
  }

  void await(BooleanSupplier condition, Supplier<String> what) {
    Await.until(WAIT, condition, what);
  }

  /** Clicks along the timeline canvas's first lane until a click lands on a bar and opens its task. */
  void clickCanvasAtFirstBar() {
    js("const canvas = document.getElementById('gantt-canvas');"
        + "const box = canvas.getBoundingClientRect();"
        + "const before = location.hash;"
        + "for (let f = 0.2; f < 0.95 && location.hash === before; f += 0.01) {"
        + "  canvas.dispatchEvent(new MouseEvent('click', {bubbles: true, clientX: box.left + box.width * f,"
        + "    clientY: box.top + 26}));"
        + "}");
  }

  /** A picture of the whole page, the window made as tall as the page for it. */
  void screenshot(Path file) throws Exception {
    Long height = (Long) js("return document.documentElement.scrollHeight + window.outerHeight - window.innerHeight");
    driver.manage().window().setSize(new Dimension(WIDTH, (int) Math.min(4000, Objects.requireNonNull(height))));
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
    driver.manage().window().setSize(new Dimension(WIDTH, 1000));
  }

  @Override
  public void close() {
    driver.quit();
  }
}

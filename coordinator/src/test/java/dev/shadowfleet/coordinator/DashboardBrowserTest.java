package dev.shadowfleet.coordinator;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.shadowfleet.common.message.JobResult;
import dev.shadowfleet.coordinator.ingest.ResultBatchWriter;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.path.json.config.JsonPathConfig;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium (Debian's {@code chromium} + {@code chromium-driver}):
 * the pages load without console errors, the tables show the API's numbers, the charts and the
 * gallery render. Skipped when the browser is not installed. Screenshots go to {@code target/}.
 */
@QuarkusTest
@WithTestResource(RealServices.class)
class DashboardBrowserTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  static final int IMAGES = 30;

  @Inject ResultBatchWriter writer;

  @TestHTTPResource("/")
  URL base;

  @Test
  void pagesShowTheApisNumbersWithoutConsoleErrors() throws IOException {
    assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER), "chromium and chromium-driver are not installed");
    String rs = Api.model(false);
    String ibp = Api.model(true);
    String sweep = Api.submit(Api.sweep(IMAGES, rs, ibp));
    List<JobResult> all = new ArrayList<>(SweepResults.generate(sweep, rs, false, IMAGES, 11).results);
    all.addAll(SweepResults.generate(sweep, ibp, true, IMAGES, 12).results);
    QuarkusTransaction.requiringNew().call(() -> writer.write(ResultsApiTest.incoming(all), List.of()));
    JsonPath summary = new JsonPath(given().get("/api/sweeps/" + sweep + "/summary").then().statusCode(200).extract().asString())
        .using(new JsonPathConfig(JsonPathConfig.NumberReturnType.DOUBLE));

    Path profile = Files.createTempDirectory("shadowfleet-chromium");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage", "--window-size=1280,2200",
        "--user-data-dir=" + profile);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).build();
    ChromeDriver driver = new ChromeDriver(service, options);
    try {
      WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(20));
      String root = base.toString().replaceAll("/$", "");

      driver.get(root + "/");
      wait.until(d -> d.findElements(By.cssSelector("#sweeps a")).stream().anyMatch(a -> a.getText().equals(sweep)));
      screenshot(driver, "dashboard-sweeps.png");
      assertNoConsoleErrors(driver, "/");

      driver.get(root + "/sweep.html?id=" + sweep);
      wait.until(d -> d.findElements(By.cssSelector("#gallery .card")).size() == 24);
      List<WebElement> t1 = driver.findElements(By.cssSelector("#table1 tbody tr"));
      assertEquals(1, t1.size());
      List<String> cells = t1.get(0).findElements(By.tagName("td")).stream().map(WebElement::getText).toList();
      int m = summary.getString("models[0].kind").equals("smoothed") ? 0 : 1;
      String p = "models[" + m + "].";
      assertEquals(rs, cells.get(0));
      assertEquals(String.valueOf(summary.getInt(p + "certifiedImages")), cells.get(4));
      assertEquals(f3(summary.getDouble(p + "table1.naturalRadiusMean")) + " ± " + f3(summary.getDouble(p + "table1.naturalRadiusStddev")), cells.get(5));
      assertEquals(f3(summary.getDouble(p + "table1.attackRadiusMean")) + " ± " + f3(summary.getDouble(p + "table1.attackRadiusStddev")), cells.get(6));
      assertEquals(String.format(Locale.ROOT, "%.1f %%", 100 * summary.getDouble(p + "table1.successRate")), cells.get(7));
      String q = "models[" + (1 - m) + "].";
      List<String> t2 = driver.findElements(By.cssSelector("#table2 tbody tr td")).stream().map(WebElement::getText).toList();
      assertEquals(ibp, t2.get(0));
      assertEquals(String.format(Locale.ROOT, "%.1f %%", 100 * summary.getDouble(q + "table2.robustError")), t2.get(3));
      assertEquals(String.format(Locale.ROOT, "%.1f %%", 100 * summary.getDouble(q + "table2.attackError")), t2.get(4));

      // the charts: 20 bins × 2 series of the histogram, one bar per target class
      assertEquals(40, driver.findElements(By.cssSelector("#histogram svg rect")).size());
      assertEquals(summary.getList(p + "successByTarget").size(), driver.findElements(By.cssSelector("#targets svg rect")).size());
      // the gallery's stored PNGs decoded in the browser
      List<WebElement> imgs = driver.findElements(By.cssSelector("#gallery img"));
      assertFalse(imgs.isEmpty());
      wait.until(d -> imgs.stream().allMatch(i -> Boolean.TRUE.equals(
          ((JavascriptExecutor) d).executeScript("return arguments[0].complete && arguments[0].naturalWidth === 28", i))));
      screenshot(driver, "dashboard-sweep.png");
      assertNoConsoleErrors(driver, "sweep page");

      driver.findElement(By.cssSelector("#gallery .card:has(img) a")).click(); // an image with stored PNGs
      wait.until(d -> d.findElements(By.cssSelector("#targets tbody tr")).size() == 10);
      assertTrue(driver.findElement(By.id("best")).getText().contains("best outcome: target"));
      List<WebElement> pngs = driver.findElements(By.cssSelector("#best img"));
      assertEquals(3, pngs.size());
      wait.until(d -> pngs.stream().allMatch(i -> Boolean.TRUE.equals(
          ((JavascriptExecutor) d).executeScript("return arguments[0].complete && arguments[0].naturalWidth === 28", i))));
      screenshot(driver, "dashboard-image.png");
      assertNoConsoleErrors(driver, "image page");

      // two sweeps side by side (the second has no results yet): the first's two models, no pairs
      String other = Api.submit(Api.sweep(IMAGES, rs, ibp));
      driver.get(root + "/compare.html?sweeps=" + sweep + "," + other);
      wait.until(d -> d.findElements(By.cssSelector("#sides tbody tr")).size() == 2);
      assertTrue(driver.findElement(By.id("sides")).getText().contains(rs));
      assertNoConsoleErrors(driver, "compare page");
    } finally {
      driver.quit();
    }
  }

  private static String f3(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }

  private static void assertNoConsoleErrors(ChromeDriver driver, String page) {
    List<LogEntry> severe = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
    assertTrue(severe.isEmpty(), page + ": " + severe);
  }

  private static void screenshot(ChromeDriver driver, String name) throws IOException {
    Path dir = Path.of("target", "screenshots");
    Files.createDirectories(dir);
    Files.write(dir.resolve(name), driver.getScreenshotAs(OutputType.BYTES));
  }
}

package io.lbmanager.dashboard;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.stream.Stream;

/**
 * Headless Chromium from the Debian packages (chromium, chromium-driver), driven through Selenium.
 * Nothing is downloaded: the driver and browser paths are given, so Selenium Manager never runs.
 */
final class Browser implements AutoCloseable {

    static final String CHROMIUM = System.getProperty("lbm.chromium", "/usr/bin/chromium");
    static final String CHROMEDRIVER = System.getProperty("lbm.chromedriver", "/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /** Skips the calling test, with the reason, when the browser packages are not installed. */
    static void assumeInstalled() {
        Assumptions.assumeTrue(Files.isExecutable(Path.of(CHROMIUM)) && Files.isExecutable(Path.of(CHROMEDRIVER)),
                "browser tests need the Debian packages chromium and chromium-driver (" + CHROMIUM + ", " + CHROMEDRIVER
                        + "); .ci/run installs them");
    }

    static Browser start() throws IOException {
        assumeInstalled();
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
        Path profile = Files.createTempDirectory("lbm-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1440,900", "--user-data-dir=" + profile);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().window().setSize(new Dimension(1440, 900));
        return new Browser(driver, profile);
    }

    /** Loads the page afresh (not just a hash change) and waits for its first poll. */
    void open(String url) {
        driver.get("about:blank");
        driver.get(url);
        until(Duration.ofSeconds(10), d -> !text("#live").startsWith("Loading"));
    }

    <T> T until(Duration timeout, Function<WebDriver, T> condition) {
        try {
            return new WebDriverWait(driver, timeout, Duration.ofMillis(50)).until(condition::apply);
        } catch (TimeoutException e) {
            throw new AssertionError("the page did not get there within " + timeout.toMillis() + " ms; it shows:\n"
                    + text("body") + "\nconsole: " + console(), e);
        }
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    /** The visible text of every element matching css, read in one go (the page redraws between calls). */
    String text(String css) {
        return String.valueOf(js("return [...document.querySelectorAll(arguments[0])].map(e => e.innerText).join('\\n').trim();", css));
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Runs a script before any page script of every page loaded from now on. */
    void beforeEveryPage(String script) {
        driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", script));
    }

    /**
     * Every page loaded from now on finds {@code token} in sessionStorage, as if the user had typed it
     * once, unless the page's sessionStorage has {@code lbm.noTestToken} set.
     */
    void useToken(String token) {
        beforeEveryPage("if (!sessionStorage.getItem('lbm.noTestToken')) sessionStorage.setItem('lbm.token', '" + token + "');");
    }

    /** What the page wrote to the console since the last call (errors, failed requests). */
    List<String> console() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream().map(LogEntry::toString).toList();
    }

    /** Saves a PNG of the viewport as target/screenshots/NAME.png (a build artifact to look at). */
    Path screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        File shot = driver.getScreenshotAs(OutputType.FILE);
        Path target = SCREENSHOTS.resolve(name + ".png");
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
        return target;
    }

    @Override
    public void close() throws IOException {
        try {
            driver.quit();
        } finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}

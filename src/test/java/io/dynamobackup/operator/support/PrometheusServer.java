package io.dynamobackup.operator.support;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus server (Debian's package) in a temporary directory, on loopback: it scrapes one target every
 * second and evaluates the given rules every second. Stopped on close.
 */
public final class PrometheusServer implements AutoCloseable {

  static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private final Process process;
  private final Path log;
  private final URI api;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build();
  private final ObjectMapper json = new ObjectMapper();

  private PrometheusServer(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.api = URI.create("http://127.0.0.1:" + port);
  }

  /**
   * Starts Prometheus in {@code dir} scraping {@code target} (host:port) as job {@code job}, with its labels honoured
   * (as the ServiceMonitor does), and loading {@code rules} (a rules file's text); returns once it is ready.
   */
  public static PrometheusServer start(Path dir, String job, String target, String rules) throws IOException {
    Path binary = PrometheusTools.require("prometheus");
    Files.writeString(dir.resolve("rules.yaml"), rules);
    Files.writeString(dir.resolve("prometheus.yml"), """
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
          evaluation_interval: 1s
        rule_files:
          - rules.yaml
        scrape_configs:
          - job_name: %s
            honor_labels: true
            static_configs:
              - targets: ['%s']
        """.formatted(job, target));
    int port;
    try (var socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path log = dir.resolve("prometheus.log");
    Process process = new ProcessBuilder(binary.toString(), "--config.file=prometheus.yml",
        "--storage.tsdb.path=data", "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    var server = new PrometheusServer(process, log, port);
    try {
      await("Prometheus ready on port " + port).atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(200))
          .until(() -> process.isAlive() && server.status("/-/ready") == 200 || !process.isAlive());
      if (!process.isAlive()) {
        throw new AssertionError("Prometheus exited: " + server.logText());
      }
    } catch (RuntimeException | AssertionError e) {
      server.close();
      throw e;
    }
    return server;
  }

  /** The result vector of an instant query; an AssertionError with Prometheus's error if the query is invalid. */
  public List<JsonNode> query(String promql) {
    JsonNode answer = get("/api/v1/query?query=" + urlEncoded(promql));
    if (!"success".equals(answer.path("status").asText())) {
      throw new AssertionError("query failed: " + promql + ": " + answer.path("error").asText());
    }
    List<JsonNode> result = new ArrayList<>();
    answer.path("data").path("result").forEach(result::add);
    return result;
  }

  /** The metric names Prometheus holds series of. */
  public Set<String> metricNames() {
    Set<String> names = new TreeSet<>();
    get("/api/v1/label/__name__/values").path("data").forEach(name -> names.add(name.asText()));
    return names;
  }

  /** The loaded rule groups, as /api/v1/rules answers them. */
  public JsonNode rules() {
    return get("/api/v1/rules").path("data");
  }

  public String logText() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  private JsonNode get(String path) {
    try {
      var response = http.send(HttpRequest.newBuilder(api.resolve(path)).timeout(REQUEST_TIMEOUT).build(),
          HttpResponse.BodyHandlers.ofString());
      return json.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException("Prometheus did not answer " + path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private int status(String path) {
    try {
      return http.send(HttpRequest.newBuilder(api.resolve(path)).timeout(REQUEST_TIMEOUT).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static String urlEncoded(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}

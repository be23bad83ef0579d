package io.dynamobackup.operator.observability;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.javaoperatorsdk.operator.RuntimeInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The operator's HTTP side, on one port. Probes for the kubelet: {@code /healthz} answers while the process serves
 * HTTP (liveness must not fail during an API server outage, or every replica restarts at once); {@code /readyz}
 * answers 200 once the operator started and all its informers are synced and healthy (a standby replica that waits
 * for the leader Lease is ready too), 503 with the reason otherwise. And {@code /metrics} for Prometheus.
 */
public final class ManagementServer implements AutoCloseable {

  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer server;

  private ManagementServer(HttpServer server, Supplier<RuntimeInfo> runtime, OperatorMetrics metrics) {
    this.server = server;
    server.createContext("/healthz", exchange -> respond(exchange, 200, "ok"));
    server.createContext("/metrics", exchange -> respond(exchange, 200, PROMETHEUS_TEXT, metrics.scrape()));
    server.createContext("/readyz", exchange -> {
      RuntimeInfo info = runtime.get();
      if (info == null || !info.isStarted()) {
        respond(exchange, 503, "not started");
      } else if (!info.allEventSourcesAreHealthy()) {
        respond(exchange, 503, "unhealthy event sources: " + info.unhealthyEventSources().keySet());
      } else {
        respond(exchange, 200, "ok");
      }
    });
    server.setExecutor(Executors.newSingleThreadExecutor(r -> {
      var thread = new Thread(r, "management-server");
      thread.setDaemon(true);
      return thread;
    }));
    server.start();
  }

  /** Serves on {@code address} (port 0: a free one); {@code runtime} may answer null until the operator exists. */
  public static ManagementServer start(InetSocketAddress address, Supplier<RuntimeInfo> runtime,
      OperatorMetrics metrics) {
    try {
      return new ManagementServer(HttpServer.create(address, 16), runtime, metrics);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve health endpoints on " + address, e);
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    respond(exchange, status, "text/plain; charset=utf-8", body + "\n");
  }

  private static void respond(HttpExchange exchange, int status, String contentType, String body)
      throws IOException {
    try (exchange) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", contentType);
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}

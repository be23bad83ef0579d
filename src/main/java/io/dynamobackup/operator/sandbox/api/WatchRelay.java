package io.dynamobackup.operator.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Watches over plain HTTP, as kubectl makes them (get -w, wait, delete): each one is relayed from a websocket
 * watch on the mock server and written as chunked JSON lines. Applies what the mock ignores: resourceVersion (no
 * replay of older objects), field selectors, timeoutSeconds, and Table objects for server-side printing.
 */
final class WatchRelay implements AutoCloseable {

  private static final String END = "";
  private static final Duration LONGEST = Duration.ofMinutes(30);

  private final ObjectMapper json;
  private final HttpClient http;
  private final URI backend;
  private final Tables tables;
  private final Set<WebSocket> open = ConcurrentHashMap.newKeySet();

  WatchRelay(ObjectMapper json, HttpClient http, URI backend, Tables tables) {
    this.json = json;
    this.http = http;
    this.backend = backend;
    this.tables = tables;
  }

  void relay(HttpExchange exchange, Request request, ApiCatalog catalog) throws IOException {
    Map<String, String> query = new LinkedHashMap<>(request.query());
    FieldSelector selector = FieldSelector.parse(query.remove("fieldSelector"));
    long fromVersion = number(query.remove("resourceVersion"));
    Duration timeout = query.containsKey("timeoutSeconds")
        ? Duration.ofSeconds(number(query.remove("timeoutSeconds"))) : LONGEST;
    query.remove("allowWatchBookmarks");
    query.remove("resourceVersionMatch");
    query.remove("sendInitialEvents");
    query.put("watch", "true");

    BlockingQueue<String> events = new LinkedBlockingQueue<>();
    URI uri = URI.create("ws://" + backend.getAuthority() + Request.pathAndQuery(request.path(), query));
    var resource = ResourcePath.parse(request.path()).flatMap(p -> catalog.find(p.group(), p.version(),
        p.plural()));
    List<Tables.Column> columns = request.wantsTable()
        ? resource.map(ApiCatalog.Resource::columns).orElse(List.of()) : null;
    WebSocket socket = http.newWebSocketBuilder().buildAsync(uri, new Collector(events)).join();
    open.add(socket);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, 0);
    Instant deadline = Instant.now().plus(timeout);
    boolean first = true;
    goneSince(request.path(), resource, selector, fromVersion).ifPresent(events::add);
    try (OutputStream out = exchange.getResponseBody()) {
      out.flush();
      while (true) {
        long wait = Duration.between(Instant.now(), deadline).toMillis();
        String text = wait <= 0 ? END : events.poll(wait, TimeUnit.MILLISECONDS);
        if (text == null || text.equals(END)) {
          return;
        }
        JsonNode event = json.readTree(text);
        JsonNode object = event.path("object");
        boolean newer = fromVersion == 0 || number(object.path("metadata").path("resourceVersion").asText())
            > fromVersion;
        if (!newer || !selector.matches(object)) {
          continue;
        }
        if (columns != null) {
          ObjectNode table = tables.table(columns, List.of(object), null);
          if (!first) {
            table.putArray("columnDefinitions");
          }
          ((ObjectNode) event).set("object", table);
          first = false;
        }
        out.write(json.writeValueAsBytes(event));
        out.write('\n');
        out.flush();
      }
    } catch (IOException clientGone) {
      // kubectl stopped watching
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      open.remove(socket);
      socket.abort();
    }
  }

  /**
   * A watch of one object from a resourceVersion after which it was deleted. A real API server replays that
   * DELETED event; the mock cannot, so without this `kubectl delete` (which GETs, then watches from that version)
   * would wait forever when the object went in between. Asked once the websocket is open, so nothing is missed.
   */
  private Optional<String> goneSince(String collectionPath, Optional<ApiCatalog.Resource> resource,
      FieldSelector selector, long fromVersion) {
    Optional<String> name = selector.terms().stream()
        .filter(t -> t.equal() && t.path().equals("metadata.name")).map(FieldSelector.Term::value).findFirst();
    if (fromVersion == 0 || name.isEmpty()) {
      return Optional.empty();
    }
    var request = HttpRequest.newBuilder(backend.resolve(collectionPath + "/" + name.get()))
        .timeout(Duration.ofSeconds(10)).GET().build();
    try {
      if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() != 404) {
        return Optional.empty();
      }
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
    var path = ResourcePath.parse(collectionPath);
    ObjectNode event = json.createObjectNode().put("type", "DELETED");
    ObjectNode object = event.putObject("object");
    resource.ifPresent(r -> object.put("apiVersion", r.groupVersion()).put("kind", r.kind()));
    ObjectNode metadata = object.putObject("metadata").put("name", name.get())
        .put("resourceVersion", Long.toString(fromVersion + 1));
    path.map(ResourcePath::namespace).ifPresent(ns -> metadata.put("namespace", ns));
    return Optional.of(event.toString());
  }

  private static long number(String value) {
    try {
      return value == null || value.isEmpty() ? 0 : Long.parseLong(value);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  @Override
  public void close() {
    open.forEach(WebSocket::abort);
  }

  /** Collects whole text messages from the mock's websocket. */
  private static final class Collector implements WebSocket.Listener {
    private final BlockingQueue<String> events;
    private final StringBuilder partial = new StringBuilder();

    Collector(BlockingQueue<String> events) {
      this.events = events;
    }

    @Override
    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        events.add(partial.toString());
        partial.setLength(0);
      }
      socket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
      events.add(END);
      return null;
    }

    @Override
    public void onError(WebSocket socket, Throwable error) {
      events.add(END);
    }
  }
}

package io.dynamobackup.operator.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.zjsonpatch.JsonPatch;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandbox's API layer: an HTTP front on a fixed loopback port, in front of the Fabric8 mock server, adding
 * what kubectl needs and the mock lacks: discovery, OpenAPI v3, server-side printing (Table), watches over plain
 * HTTP, field selectors, RFC 7386 merge patch and a server-side apply good enough for kubectl, and the validation
 * of custom resources that an API server does with their CRD's schema and CEL rules
 * ({@link CustomResourceValidation}). Everything else is passed through to the mock unchanged. The operator does
 * not depend on it; a client of the mock itself ({@code SandboxCluster.newClient()}) stores objects unvalidated.
 */
public final class SandboxApi implements AutoCloseable {

  static final String MERGE_PATCH = "application/merge-patch+json";
  static final String STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json";
  static final String APPLY_PATCH = "application/apply-patch+yaml";
  static final String JSON_PATCH = "application/json-patch+json";
  private static final Logger log = LoggerFactory.getLogger(SandboxApi.class);

  private final ObjectMapper json = new ObjectMapper();
  private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
  private final HttpServer server;
  private final ExecutorService executor;
  private final URI backend;
  private final HttpClient http;
  private final Tables tables;
  private final OpenApiV3 openApi;
  private final WatchRelay watches;
  private final CustomResourceValidation validation;

  private SandboxApi(HttpServer server, URI backend, Clock clock) {
    this.server = server;
    this.backend = backend;
    this.executor = Executors.newCachedThreadPool(r -> {
      var thread = new Thread(r, "sandbox-api");
      thread.setDaemon(true);
      return thread;
    });
    // HTTP/1.1: with its default (HTTP/2) the JDK client asks the mock for an h2c upgrade, and upgraded connections
    // intermittently broke ("Frame type(116) ... exceeds MAX_FRAME_SIZE"), seen once the CRD list grew to three.
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor)
        .connectTimeout(Duration.ofSeconds(5)).build();
    this.tables = new Tables(json, clock);
    this.openApi = new OpenApiV3(json);
    this.watches = new WatchRelay(json, http, backend, tables);
    this.validation = new CustomResourceValidation(json);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Serves on a loopback port (0: a free one) in front of the mock API at {@code backend}. */
  public static SandboxApi start(int port, URI backend, Clock clock) {
    try {
      var server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
      return new SandboxApi(server, backend, clock);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve the sandbox API on port " + port
          + " (is another sandbox running? choose another with --sandbox-port)", e);
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public String url() {
    return "http://127.0.0.1:" + port();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      var request = Request.of(exchange);
      if (request.method().equals("GET")) {
        Optional<JsonNode> document = document(request.path());
        if (document.isPresent()) {
          respond(exchange, 200, document.get());
          return;
        }
        if (request.isWatch()) {
          watches.relay(exchange, request, catalog());
          return;
        }
        boolean collection = ResourcePath.parse(request.path()).map(p -> p.name() == null).orElse(false);
        if (collection || request.wantsTable() || request.query().containsKey("fieldSelector")) {
          read(exchange, request);
          return;
        }
      }
      Optional<ApiCatalog.Resource> validated = validatedResource(request);
      if (request.method().equals("PATCH") && (request.isMergeStylePatch()
          || validated.isPresent() && request.contentType().startsWith(JSON_PATCH))) {
        patch(exchange, request, validated);
        return;
      }
      if (validated.isPresent() && (request.method().equals("POST") || request.method().equals("PUT"))) {
        write(exchange, request, validated.get());
        return;
      }
      BackendResponse response = forward(request.method(), request.pathAndQuery(), request.contentType(),
          request.body());
      // the mock answers PATCH with 202 where a real API server answers 200
      int status = request.method().equals("PATCH") && response.status() == 202 ? 200 : response.status();
      respond(exchange, status, response.body(), response.contentType());
    } catch (RuntimeException e) {
      log.warn("sandbox API: {} failed: {}", exchange.getRequestURI(), e.toString());
      respond(exchange, 500, status(500, "InternalError", String.valueOf(e.getMessage())));
    }
  }

  /** Discovery, version and OpenAPI documents; empty for any other path. */
  private Optional<JsonNode> document(String path) {
    List<String> parts = segments(path);
    if (path.equals("/version")) {
      return Optional.of(json.createObjectNode().put("major", "1").put("minor", "32")
          .put("gitVersion", "v1.32.0-sandbox").put("platform", "linux/amd64"));
    }
    if (path.equals("/api")) {
      return Optional.of(catalog().coreVersions());
    }
    if (path.equals("/apis")) {
      return Optional.of(catalog().groups());
    }
    if (path.equals("/api/v1")) {
      return catalog().resourceList("", "v1").map(JsonNode.class::cast);
    }
    if (parts.size() == 2 && parts.get(0).equals("apis")) {
      return catalog().group(parts.get(1)).map(JsonNode.class::cast).or(() -> Optional.of(notFound(path)));
    }
    if (parts.size() == 3 && parts.get(0).equals("apis")) {
      return catalog().resourceList(parts.get(1), parts.get(2)).map(JsonNode.class::cast)
          .or(() -> Optional.of(notFound(path)));
    }
    if (path.equals("/openapi/v3")) {
      return Optional.of(openApi.index(catalog()));
    }
    if (path.startsWith("/openapi/v3/apis/") && parts.size() == 5) {
      return openApi.document(catalog(), parts.get(3) + "/" + parts.get(4)).map(JsonNode.class::cast)
          .or(() -> Optional.of(notFound(path)));
    }
    if (path.startsWith("/openapi/")) {
      return Optional.of(notFound(path));
    }
    return Optional.empty();
  }

  /** GET as a Table and/or with a field selector: read from the mock, filter, convert. */
  private void read(HttpExchange exchange, Request request) throws IOException {
    Map<String, String> query = new LinkedHashMap<>(request.query());
    FieldSelector selector = FieldSelector.parse(query.remove("fieldSelector"));
    BackendResponse response = forward("GET", Request.pathAndQuery(request.path(), query), null, null);
    if (response.status() != 200) {
      respond(exchange, response.status(), response.body(), response.contentType());
      return;
    }
    JsonNode body = json.readTree(response.body());
    boolean isList = body.has("items");
    var resource = ResourcePath.parse(request.path()).flatMap(p -> catalog().find(p.group(), p.version(),
        p.plural()));
    List<JsonNode> objects = new ArrayList<>();
    (isList ? body.get("items") : json.createArrayNode().add(body)).forEach(item -> {
      if (selector.matches(item)) {
        objects.add(item);
      }
    });
    // a real API server lists in key order: namespace, then name
    objects.sort(Comparator.comparing((JsonNode o) -> o.path("metadata").path("namespace").asText())
        .thenComparing(o -> o.path("metadata").path("name").asText()));
    String resourceVersion = body.path("metadata").path("resourceVersion").asText(null);
    if (request.wantsTable()) {
      respond(exchange, 200, tables.table(resource.map(ApiCatalog.Resource::columns).orElse(List.of()), objects,
          resourceVersion));
      return;
    }
    if (isList) {
      // typed clients (kubectl describe reading events) want EventList, not the mock's generic List
      ObjectNode list = (ObjectNode) body;
      resource.ifPresent(r -> list.put("kind", r.kind() + "List").put("apiVersion", r.groupVersion()));
      list.set("items", json.valueToTree(objects));
    }
    respond(exchange, 200, body);
  }

  /**
   * Merge patch (RFC 7386), strategic merge patch (as merge patch: lists replaced whole), server-side apply (create,
   * or merge the applied configuration) and, for custom resources, JSON patch (RFC 6902): read, patch, validate, then
   * a full update with optimistic locking.
   */
  private void patch(HttpExchange exchange, Request request, Optional<ApiCatalog.Resource> validated)
      throws IOException {
    boolean statusSubresource = request.path().endsWith("/status");
    String objectPath = statusSubresource ? request.path().substring(0, request.path().length() - 7)
        : request.path();
    boolean jsonPatch = request.contentType().startsWith(JSON_PATCH);
    JsonNode patch = request.contentType().startsWith(APPLY_PATCH) ? yaml.readTree(request.body())
        : json.readTree(request.body());
    if (patch instanceof ObjectNode object && object.path("metadata") instanceof ObjectNode metadata) {
      metadata.remove("managedFields");
    }
    for (int attempt = 0; attempt < 5; attempt++) {
      BackendResponse current = forward("GET", objectPath, null, null);
      if (current.status() == 404 && request.contentType().startsWith(APPLY_PATCH)) {
        String collection = objectPath.substring(0, objectPath.lastIndexOf('/'));
        ObjectNode created = (ObjectNode) patch;
        if (validated.isPresent()) {
          var outcome = validation.judge(validated.get(), created, null, directive(request),
              CustomResourceValidation.Write.CREATE);
          if (refused(exchange, outcome)) {
            return;
          }
        }
        BackendResponse response = forward("POST", collection, "application/json", json.writeValueAsBytes(created));
        respond(exchange, response.status(), response.body(), response.contentType());
        return;
      }
      if (current.status() != 200) {
        respond(exchange, current.status(), current.body(), current.contentType());
        return;
      }
      JsonNode existing = json.readTree(current.body());
      ObjectNode merged = (ObjectNode) (jsonPatch ? JsonPatch.apply(patch, existing)
          : JsonMergePatch.apply(existing, patch));
      ((ObjectNode) merged.get("metadata")).put("resourceVersion",
          existing.path("metadata").path("resourceVersion").asText());
      if (validated.isPresent()) {
        var outcome = validation.judge(validated.get(), merged, existing, directive(request),
            CustomResourceValidation.Write.PATCH);
        if (refused(exchange, outcome)) {
          return;
        }
      }
      BackendResponse updated = forward("PUT", request.path(), "application/json", json.writeValueAsBytes(merged));
      if (updated.status() != 409) {
        respond(exchange, updated.status(), updated.body(), updated.contentType());
        return;
      }
    }
    respond(exchange, 409, status(409, "Conflict", "the object kept changing; try again"));
  }

  /** POST (create) or PUT (update) of a custom resource: validated, then stored as pruned and defaulted. */
  private void write(HttpExchange exchange, Request request, ApiCatalog.Resource resource) throws IOException {
    JsonNode body = json.readTree(request.body());
    if (!(body instanceof ObjectNode object)) {
      respond(exchange, 400, status(400, "BadRequest", "the request body is not a JSON object"));
      return;
    }
    JsonNode old = null;
    if (request.method().equals("PUT")) {
      String objectPath = request.path().endsWith("/status")
          ? request.path().substring(0, request.path().length() - 7) : request.path();
      BackendResponse current = forward("GET", objectPath, null, null);
      old = current.status() == 200 ? json.readTree(current.body()) : null;
    }
    var outcome = validation.judge(resource, object, old, directive(request), old == null
        ? CustomResourceValidation.Write.CREATE : CustomResourceValidation.Write.UPDATE);
    if (refused(exchange, outcome)) {
      return;
    }
    BackendResponse response = forward(request.method(), request.pathAndQuery(), "application/json",
        json.writeValueAsBytes(outcome.object()));
    respond(exchange, response.status(), response.body(), response.contentType());
  }

  /** Answers a refusal, or adds the outcome's warnings (unknown fields pruned) to the response to come. */
  private boolean refused(HttpExchange exchange, CustomResourceValidation.Outcome outcome) throws IOException {
    if (!outcome.accepted()) {
      respond(exchange, outcome.code(), outcome.status());
      return true;
    }
    // RFC 7234 warning headers, as the API server sends them; kubectl prints each as "Warning: ..."
    exchange.getResponseHeaders().remove("Warning");
    outcome.warnings().forEach(w -> exchange.getResponseHeaders().add("Warning", "299 - " + FieldError.quote(w)));
    return false;
  }

  private static CustomResourceValidation.Directive directive(Request request) {
    return CustomResourceValidation.Directive.of(request.query().get("fieldValidation"));
  }

  /** The custom resource a write goes to, when it has a schema to validate with. */
  private Optional<ApiCatalog.Resource> validatedResource(Request request) {
    if (!List.of("POST", "PUT", "PATCH").contains(request.method())) {
      return Optional.empty();
    }
    return ResourcePath.parse(request.path())
        .flatMap(p -> catalog().find(p.group(), p.version(), p.plural()))
        .filter(r -> r.schema() != null && r.schema().isObject());
  }

  ApiCatalog catalog() {
    BackendResponse crds = forward("GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", null, null);
    try {
      return ApiCatalog.of(json, json.readTree(crds.body()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private BackendResponse forward(String method, String pathAndQuery, String contentType, byte[] body) {
    var builder = HttpRequest.newBuilder(backend.resolve(pathAndQuery)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      builder.header("Content-Type", contentType);
    }
    builder.header("Accept", "application/json");
    try {
      HttpResponse<byte[]> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
      return new BackendResponse(response.statusCode(), response.body(),
          response.headers().firstValue("Content-Type").orElse("application/json"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private ObjectNode notFound(String path) {
    return status(404, "NotFound", "the server could not find the requested resource (" + path + ")");
  }

  ObjectNode status(int code, String reason, String message) {
    ObjectNode status = json.createObjectNode().put("kind", "Status").put("apiVersion", "v1")
        .put("status", "Failure").put("message", message).put("reason", reason).put("code", code);
    status.putObject("metadata");
    return status;
  }

  private void respond(HttpExchange exchange, int status, JsonNode body) throws IOException {
    int code = body.path("kind").asText().equals("Status") ? body.path("code").asInt(status) : status;
    respond(exchange, code, json.writeValueAsBytes(body), "application/json");
  }

  private static void respond(HttpExchange exchange, int status, byte[] body, String contentType)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  static List<String> segments(String path) {
    List<String> parts = new ArrayList<>();
    for (String part : path.split("/")) {
      if (!part.isEmpty()) {
        parts.add(URLDecoder.decode(part, StandardCharsets.UTF_8));
      }
    }
    return parts;
  }

  @Override
  public void close() {
    watches.close();
    server.stop(0);
    executor.shutdownNow();
  }

  /** A response from the mock server. */
  record BackendResponse(int status, byte[] body, String contentType) {}
}

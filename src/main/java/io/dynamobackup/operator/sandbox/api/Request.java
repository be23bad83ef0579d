package io.dynamobackup.operator.sandbox.api;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** One request to the sandbox API, read once. */
record Request(String method, String path, Map<String, String> query, String accept, String contentType,
    byte[] body) {

  static Request of(HttpExchange exchange) throws IOException {
    var uri = exchange.getRequestURI();
    Map<String, String> query = new LinkedHashMap<>();
    if (uri.getRawQuery() != null) {
      for (String pair : uri.getRawQuery().split("&")) {
        String[] kv = pair.split("=", 2);
        query.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
            kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
      }
    }
    var headers = exchange.getRequestHeaders();
    return new Request(exchange.getRequestMethod(), uri.getRawPath(), query,
        Optional.ofNullable(headers.getFirst("Accept")).orElse(""),
        Optional.ofNullable(headers.getFirst("Content-Type")).orElse(""),
        exchange.getRequestBody().readAllBytes());
  }

  boolean isWatch() {
    String watch = query.get("watch");
    return "true".equals(watch) || "1".equals(watch);
  }

  /** kubectl get asks for server-side printing first. */
  boolean wantsTable() {
    return accept.contains("as=Table");
  }

  boolean isMergeStylePatch() {
    return contentType.startsWith(SandboxApi.MERGE_PATCH) || contentType.startsWith(SandboxApi.STRATEGIC_MERGE_PATCH)
        || contentType.startsWith(SandboxApi.APPLY_PATCH);
  }

  String pathAndQuery() {
    return pathAndQuery(path, query);
  }

  static String pathAndQuery(String path, Map<String, String> query) {
    if (query.isEmpty()) {
      return path;
    }
    return path + "?" + query.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
            + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }
}

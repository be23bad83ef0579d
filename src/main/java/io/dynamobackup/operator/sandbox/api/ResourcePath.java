package io.dynamobackup.operator.sandbox.api;

import java.util.List;
import java.util.Optional;

/** The parts of a resource URL: /api/v1/... or /apis/GROUP/VERSION/[namespaces/NS/]PLURAL[/NAME[/SUB]]. */
record ResourcePath(String group, String version, String namespace, String plural, String name) {

  static Optional<ResourcePath> parse(String path) {
    List<String> parts = SandboxApi.segments(path);
    int start;
    String group;
    if (parts.size() >= 3 && parts.get(0).equals("api")) {
      group = "";
      start = 1;
    } else if (parts.size() >= 4 && parts.get(0).equals("apis")) {
      group = parts.get(1);
      start = 2;
    } else {
      return Optional.empty();
    }
    String version = parts.get(start);
    List<String> rest = parts.subList(start + 1, parts.size());
    String namespace = null;
    if (rest.size() >= 3 && rest.get(0).equals("namespaces")) {
      namespace = rest.get(1);
      rest = rest.subList(2, rest.size());
    }
    if (rest.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new ResourcePath(group, version, namespace, rest.get(0), rest.size() > 1 ? rest.get(1) : null));
  }
}

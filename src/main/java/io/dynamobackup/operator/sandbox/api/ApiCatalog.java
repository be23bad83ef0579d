package io.dynamobackup.operator.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the API serves, read from the CRDs stored in the mock plus a few built-in resources: the source of
 * discovery documents, OpenAPI v3 documents and printer columns.
 */
final class ApiCatalog {

  /** One served resource of one group-version. */
  record Resource(String group, String version, String plural, String singular, String kind,
      List<String> shortNames, boolean namespaced, boolean statusSubresource, List<Tables.Column> columns,
      JsonNode schema) {

    String groupVersion() {
      return group.isEmpty() ? version : group + "/" + version;
    }
  }

  /** What a real API server prints for a resource without columns of its own: name and age. */
  private static final List<Tables.Column> AGE_ONLY = List.of(new Tables.Column("Age", "date", "",
      "Time since the object was created", 0, ".metadata.creationTimestamp"));

  private static final List<String> VERBS =
      List.of("delete", "deletecollection", "get", "list", "patch", "create", "update", "watch");

  private final ObjectMapper json;
  private final List<Resource> resources;

  private ApiCatalog(ObjectMapper json, List<Resource> resources) {
    this.json = json;
    this.resources = resources;
  }

  /** The catalog as of now: the built-ins and every CRD in {@code crdList} (a CustomResourceDefinitionList). */
  static ApiCatalog of(ObjectMapper json, JsonNode crdList) {
    List<Resource> resources = new ArrayList<>();
    resources.add(builtIn("", "v1", "namespaces", "Namespace", List.of("ns"), false));
    resources.add(new Resource("", "v1", "events", "event", "Event", List.of("ev"), true, false, List.of(
        new Tables.Column("Last Seen", "date", "", "Time of the last occurrence", 0, ".lastTimestamp"),
        new Tables.Column("Type", "string", "", "Normal or Warning", 0, ".type"),
        new Tables.Column("Reason", "string", "", "Why the event was recorded", 0, ".reason"),
        new Tables.Column("Object", "string", "", "The object the event is about", 0, Tables.INVOLVED_OBJECT),
        new Tables.Column("Message", "string", "", "What happened", 0, ".message")), null));
    resources.add(builtIn("", "v1", "configmaps", "ConfigMap", List.of("cm"), true));
    resources.add(builtIn("coordination.k8s.io", "v1", "leases", "Lease", List.of(), true));
    resources.add(builtIn("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition",
        List.of("crd", "crds"), false));
    for (JsonNode crd : crdList.path("items")) {
      JsonNode spec = crd.path("spec");
      JsonNode names = spec.path("names");
      List<String> shortNames = new ArrayList<>();
      names.path("shortNames").forEach(n -> shortNames.add(n.asText()));
      for (JsonNode version : spec.path("versions")) {
        if (!version.path("served").asBoolean(true)) {
          continue;
        }
        List<Tables.Column> columns = new ArrayList<>();
        if (!version.has("additionalPrinterColumns")) {
          columns.addAll(AGE_ONLY);
        }
        for (JsonNode column : version.path("additionalPrinterColumns")) {
          columns.add(new Tables.Column(column.path("name").asText(), column.path("type").asText("string"),
              column.path("format").asText(""), column.path("description").asText(""),
              column.path("priority").asInt(0), column.path("jsonPath").asText()));
        }
        resources.add(new Resource(spec.path("group").asText(), version.path("name").asText(),
            names.path("plural").asText(), names.path("singular").asText(), names.path("kind").asText(), shortNames,
            "Namespaced".equals(spec.path("scope").asText()), version.path("subresources").has("status"), columns,
            version.path("schema").path("openAPIV3Schema")));
      }
    }
    return new ApiCatalog(json, resources);
  }

  private static Resource builtIn(String group, String version, String plural, String kind, List<String> shortNames,
      boolean namespaced) {
    return new Resource(group, version, plural, kind.toLowerCase(), kind, shortNames, namespaced, false, AGE_ONLY,
        null);
  }

  List<Resource> resources() {
    return resources;
  }

  Optional<Resource> find(String group, String version, String plural) {
    return resources.stream().filter(r -> r.group().equals(group) && r.version().equals(version)
        && r.plural().equals(plural)).findFirst();
  }

  /** GET /api */
  ObjectNode coreVersions() {
    ObjectNode versions = json.createObjectNode().put("kind", "APIVersions");
    versions.putArray("versions").add("v1");
    versions.putArray("serverAddressByClientCIDRs").addObject().put("clientCIDR", "0.0.0.0/0")
        .put("serverAddress", "127.0.0.1");
    return versions;
  }

  /** GET /apis */
  ObjectNode groups() {
    ObjectNode list = json.createObjectNode().put("kind", "APIGroupList").put("apiVersion", "v1");
    ArrayNode groups = list.putArray("groups");
    groupVersions().forEach((group, versions) -> groups.add(group(group, versions)));
    return list;
  }

  /** GET /apis/GROUP, if served. */
  Optional<ObjectNode> group(String group) {
    List<String> versions = groupVersions().get(group);
    return versions == null ? Optional.empty() : Optional.of(group(group, versions).put("kind", "APIGroup")
        .put("apiVersion", "v1"));
  }

  private Map<String, List<String>> groupVersions() {
    Map<String, List<String>> groups = new LinkedHashMap<>();
    for (Resource resource : resources) {
      if (!resource.group().isEmpty()) {
        List<String> versions = groups.computeIfAbsent(resource.group(), g -> new ArrayList<>());
        if (!versions.contains(resource.version())) {
          versions.add(resource.version());
        }
      }
    }
    return groups;
  }

  private ObjectNode group(String group, List<String> versions) {
    ObjectNode node = json.createObjectNode().put("name", group);
    ArrayNode list = node.putArray("versions");
    versions.forEach(v -> list.addObject().put("groupVersion", group + "/" + v).put("version", v));
    node.putObject("preferredVersion").put("groupVersion", group + "/" + versions.get(0))
        .put("version", versions.get(0));
    return node;
  }

  /** GET /api/v1 or /apis/GROUP/VERSION, if served. */
  Optional<ObjectNode> resourceList(String group, String version) {
    List<Resource> served = resources.stream().filter(r -> r.group().equals(group) && r.version().equals(version))
        .toList();
    if (served.isEmpty()) {
      return Optional.empty();
    }
    ObjectNode list = json.createObjectNode().put("kind", "APIResourceList").put("apiVersion", "v1")
        .put("groupVersion", served.get(0).groupVersion());
    ArrayNode items = list.putArray("resources");
    for (Resource resource : served) {
      ObjectNode item = items.addObject().put("name", resource.plural()).put("singularName", resource.singular())
          .put("namespaced", resource.namespaced()).put("kind", resource.kind());
      ArrayNode verbs = item.putArray("verbs");
      VERBS.forEach(verbs::add);
      if (!resource.shortNames().isEmpty()) {
        ArrayNode shortNames = item.putArray("shortNames");
        resource.shortNames().forEach(shortNames::add);
      }
      if (resource.statusSubresource()) {
        ObjectNode status = items.addObject().put("name", resource.plural() + "/status").put("singularName", "")
            .put("namespaced", resource.namespaced()).put("kind", resource.kind());
        status.putArray("verbs").add("get").add("patch").add("update");
      }
    }
    return Optional.of(list);
  }
}

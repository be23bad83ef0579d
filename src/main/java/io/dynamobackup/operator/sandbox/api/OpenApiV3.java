package io.dynamobackup.operator.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * OpenAPI v3 documents for the custom resources, built from the CRD schemas as the API server publishes them:
 * {@code kubectl explain} reads the schemas (found by x-kubernetes-group-version-kind), and {@code kubectl apply}
 * reads the operations' parameters to see that the server validates fields itself (fieldValidation).
 */
final class OpenApiV3 {

  private static final String OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

  private final ObjectMapper json;

  OpenApiV3(ObjectMapper json) {
    this.json = json;
  }

  /** GET /openapi/v3: one entry per group-version with a schema. */
  ObjectNode index(ApiCatalog catalog) {
    ObjectNode index = json.createObjectNode();
    ObjectNode paths = index.putObject("paths");
    catalog.resources().stream().filter(r -> r.schema() != null).map(ApiCatalog.Resource::groupVersion).distinct()
        .forEach(gv -> {
          String key = "apis/" + gv;
          paths.putObject(key).put("serverRelativeURL", "/openapi/v3/" + key + "?hash="
              + Integer.toHexString(document(catalog, gv).map(JsonNode::hashCode).orElse(0)));
        });
    return index;
  }

  /** GET /openapi/v3/apis/GROUP/VERSION */
  Optional<ObjectNode> document(ApiCatalog catalog, String groupVersion) {
    List<ApiCatalog.Resource> resources = catalog.resources().stream()
        .filter(r -> r.schema() != null && r.groupVersion().equals(groupVersion)).toList();
    if (resources.isEmpty()) {
      return Optional.empty();
    }
    ObjectNode document = json.createObjectNode().put("openapi", "3.0.0");
    document.putObject("info").put("title", "Kubernetes CRD Swagger").put("version", "v0.1.0");
    ObjectNode paths = document.putObject("paths");
    ObjectNode schemas = document.putObject("components").putObject("schemas");
    schemas.set(OBJECT_META, objectMeta());
    for (ApiCatalog.Resource resource : resources) {
      String schemaName = schemaName(resource);
      schemas.set(schemaName, resourceSchema(resource));
      String collection = "/apis/" + groupVersion + (resource.namespaced() ? "/namespaces/{namespace}/" : "/")
          + resource.plural();
      paths.set(collection, operations(resource, schemaName, List.of("get", "post", "delete"), false));
      paths.set(collection + "/{name}", operations(resource, schemaName, List.of("get", "put", "patch", "delete"),
          true));
      if (resource.statusSubresource()) {
        paths.set(collection + "/{name}/status", operations(resource, schemaName, List.of("get", "put", "patch"),
            true));
      }
    }
    return Optional.of(document);
  }

  /** io.dynamobackup.v1alpha1.DynamoBackup for group dynamobackup.io: the API server's naming. */
  static String schemaName(ApiCatalog.Resource resource) {
    List<String> parts = Arrays.asList(resource.group().split("\\."));
    Collections.reverse(parts);
    return String.join(".", parts) + "." + resource.version() + "." + resource.kind();
  }

  private ObjectNode resourceSchema(ApiCatalog.Resource resource) {
    ObjectNode schema = resource.schema().deepCopy();
    ObjectNode properties = schema.has("properties") ? (ObjectNode) schema.get("properties")
        : schema.putObject("properties");
    properties.putObject("apiVersion").put("type", "string").put("description", "APIVersion defines the versioned"
        + " schema of this representation of an object.");
    properties.putObject("kind").put("type", "string").put("description", "Kind is a string value representing"
        + " the REST resource this object represents.");
    ObjectNode metadata = properties.putObject("metadata");
    metadata.putArray("allOf").addObject().put("$ref", "#/components/schemas/" + OBJECT_META);
    metadata.put("description", "Standard object's metadata.");
    schema.put("type", "object");
    if (!schema.has("description")) {
      schema.put("description", resource.kind() + " is the Schema for the " + resource.plural() + " API.");
    }
    schema.putArray("x-kubernetes-group-version-kind").addObject().put("group", resource.group())
        .put("kind", resource.kind()).put("version", resource.version());
    return schema;
  }

  private ObjectNode operations(ApiCatalog.Resource resource, String schemaName, List<String> verbs, boolean named) {
    ObjectNode path = json.createObjectNode();
    for (String verb : verbs) {
      ObjectNode operation = path.putObject(verb);
      operation.put("operationId", verb + resource.kind());
      ArrayNode parameters = operation.putArray("parameters");
      if (List.of("post", "put", "patch").contains(verb)) {
        parameters.add(queryParameter("dryRun"));
        parameters.add(queryParameter("fieldManager"));
        parameters.add(queryParameter("fieldValidation"));
        if (verb.equals("patch")) {
          parameters.add(queryParameter("force"));
        }
        operation.putObject("requestBody").putObject("content").putObject("application/json").putObject("schema")
            .put("$ref", "#/components/schemas/" + schemaName);
      }
      if (verb.equals("get") && !named) {
        parameters.add(queryParameter("fieldSelector"));
        parameters.add(queryParameter("labelSelector"));
        parameters.add(queryParameter("watch"));
      }
      operation.putObject("responses").putObject("200").put("description", "OK").putObject("content")
          .putObject("application/json").putObject("schema").put("$ref", "#/components/schemas/" + schemaName);
      operation.putObject("x-kubernetes-group-version-kind").put("group", resource.group())
          .put("kind", resource.kind()).put("version", resource.version());
    }
    ArrayNode parameters = path.putArray("parameters");
    if (named) {
      parameters.add(pathParameter("name"));
    }
    if (resource.namespaced()) {
      parameters.add(pathParameter("namespace"));
    }
    return path;
  }

  private ObjectNode queryParameter(String name) {
    ObjectNode parameter = json.createObjectNode().put("name", name).put("in", "query").put("description", name);
    parameter.putObject("schema").put("type", "string").put("uniqueItems", true);
    return parameter;
  }

  private ObjectNode pathParameter(String name) {
    ObjectNode parameter = json.createObjectNode().put("name", name).put("in", "path").put("required", true)
        .put("description", name);
    parameter.putObject("schema").put("type", "string").put("uniqueItems", true);
    return parameter;
  }

  private ObjectNode objectMeta() {
    ObjectNode meta = json.createObjectNode().put("type", "object").put("description",
        "ObjectMeta is metadata that all persisted resources must have.");
    ObjectNode properties = meta.putObject("properties");
    for (String field : List.of("name", "namespace", "uid", "resourceVersion", "generateName")) {
      properties.putObject(field).put("type", "string").put("description", field);
    }
    properties.putObject("generation").put("type", "integer").put("format", "int64").put("description",
        "A sequence number representing a specific generation of the desired state.");
    for (String field : List.of("creationTimestamp", "deletionTimestamp")) {
      properties.putObject(field).put("type", "string").put("format", "date-time").put("description", field);
    }
    for (String field : List.of("labels", "annotations")) {
      ObjectNode map = properties.putObject(field).put("type", "object").put("description", field);
      map.putObject("additionalProperties").put("type", "string").put("default", "");
    }
    ObjectNode finalizers = properties.putObject("finalizers").put("type", "array").put("description",
        "Must be empty before the object is deleted from the registry.");
    finalizers.putObject("items").put("type", "string").put("default", "");
    ObjectNode owners = properties.putObject("ownerReferences").put("type", "array").put("description",
        "Objects depended by this object.");
    owners.putObject("items").put("type", "object").put("x-kubernetes-preserve-unknown-fields", true);
    ObjectNode managed = properties.putObject("managedFields").put("type", "array").put("description",
        "Maps workflow-id and version to the set of fields that are managed by that workflow.");
    managed.putObject("items").put("type", "object").put("x-kubernetes-preserve-unknown-fields", true);
    return meta;
  }
}

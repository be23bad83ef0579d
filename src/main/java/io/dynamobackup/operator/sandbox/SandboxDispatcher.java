package io.dynamobackup.operator.sandbox;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRuleBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectRulesReviewStatusBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The mock API's CRUD store, plus what a real API server does and the stock mock does not:
 * <ul>
 *   <li>a SelfSubjectRulesReview (JOSDK's leader election checks its Lease permissions with one before it starts).
 *       The mock enforces no authorization, so the truthful answer is "everything is allowed"; the CRUD store would
 *       instead echo the request back with no status;
 *   <li>optimistic locking on status updates: a PUT to {@code .../status} that carries a resourceVersion other than
 *       the stored one answers 409 Conflict (the stock mock overwrites), so that two writers are caught as they are
 *       on a cluster.
 * </ul>
 */
final class SandboxDispatcher extends KubernetesCrudDispatcher {

  private static final String STATUS = "/status";

  /** Check-then-write of a status update, and every other write, one at a time. */
  private final Object writes = new Object();

  @Override
  public MockResponse handleUpdate(RecordedRequest request) {
    synchronized (writes) {
      String path = request.getPath();
      int query = path.indexOf('?');
      String resourcePath = query < 0 ? path : path.substring(0, query);
      if (resourcePath.endsWith(STATUS)) {
        Optional<MockResponse> conflict = staleVersion(resourcePath.substring(0, resourcePath.length()
            - STATUS.length()), new String(request.getBody().getBytes(), StandardCharsets.UTF_8));
        if (conflict.isPresent()) {
          return conflict.get();
        }
      }
      return super.handleUpdate(request);
    }
  }

  @Override
  public MockResponse handlePatch(RecordedRequest request) {
    synchronized (writes) {
      return super.handlePatch(request);
    }
  }

  @Override
  public MockResponse handleDelete(String path) {
    synchronized (writes) {
      return super.handleDelete(path);
    }
  }

  private Optional<MockResponse> staleVersion(String objectPath, String body) {
    var sent = Serialization.unmarshal(body, GenericKubernetesResource.class);
    String version = sent.getMetadata() == null ? null : sent.getMetadata().getResourceVersion();
    var stored = findResource(getKey(objectPath));
    if (version == null || version.isEmpty() || stored == null) {
      return Optional.empty();
    }
    var current = Serialization.unmarshal(stored.getValue(), GenericKubernetesResource.class);
    if (version.equals(current.getMetadata().getResourceVersion())) {
      return Optional.empty();
    }
    var status = new StatusBuilder().withStatus("Failure").withCode(409).withReason("Conflict")
        .withMessage("Operation cannot be fulfilled on " + current.getKind() + " \"" + current.getMetadata().getName()
            + "\": the object has been modified; please apply your changes to the latest version and try again")
        .withNewDetails().withKind(current.getKind()).withName(current.getMetadata().getName()).endDetails()
        .build();
    return Optional.of(new MockResponse().setResponseCode(409).setBody(Serialization.asJson(status)));
  }

  @Override
  public MockResponse handleCreate(RecordedRequest request) {
    if (request.getPath().startsWith("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")) {
      var review = Serialization.unmarshal(request.getUtf8Body(), SelfSubjectRulesReview.class);
      review.setStatus(new SubjectRulesReviewStatusBuilder()
          .withIncomplete(false)
          .addToResourceRules(new ResourceRuleBuilder()
              .withApiGroups("*").withResources("*").withVerbs("*").build())
          .build());
      return new MockResponse().setResponseCode(201).setBody(Serialization.asJson(review));
    }
    return super.handleCreate(request);
  }
}

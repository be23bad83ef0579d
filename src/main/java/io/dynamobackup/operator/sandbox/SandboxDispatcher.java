package io.dynamobackup.operator.sandbox;

import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRuleBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectRulesReviewStatusBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

/**
 * The mock API's CRUD store, plus the one review the operator asks for: a SelfSubjectRulesReview (JOSDK's leader
 * election checks its Lease permissions with one before it starts). The mock enforces no authorization, so the
 * truthful answer is "everything is allowed"; the CRUD store would instead echo the request back with no status.
 */
final class SandboxDispatcher extends KubernetesCrudDispatcher {

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

package io.dynamobackup.operator.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamobackup.operator.api.DynamoBackupPolicy;
import io.dynamobackup.operator.api.DynamoBackupPolicySpec;
import io.dynamobackup.operator.support.UnitTest;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@UnitTest
class AccessPolicyTest {

  static final String REGION = "eu-west-1";
  static final String ROLE_B = "arn:aws:iam::222233334444:role/team-b";
  /** The account of the operator's own credentials in these tests. */
  static final String OWN = "000000000000";

  static DynamoBackupPolicy policy(String name, List<String> namespaces, List<String> tables) {
    var policy = new DynamoBackupPolicy();
    policy.setMetadata(new ObjectMetaBuilder().withName(name).build());
    var spec = new DynamoBackupPolicySpec();
    spec.namespaces = namespaces;
    spec.tables = tables;
    policy.setSpec(spec);
    return policy;
  }

  static AccessPolicy.Grants grants(String namespace, DynamoBackupPolicy... policies) {
    return AccessPolicy.of(List.of(policies), REGION, Optional.of(OWN)).forNamespace(namespace, Map.of());
  }

  @Test
  void withoutPoliciesEverythingInTheOwnAccountIsAllowedWithTheOperatorsOwnCredentials() {
    var policy = AccessPolicy.of(List.of(), REGION, Optional.of(OWN));
    assertThat(policy.singleTenant()).isTrue();
    var decision = policy.forNamespace("anyone", Map.of()).delete("payments", "us-east-1", OWN);
    assertThat(decision.permitted()).isTrue();
    assertThat(decision.roleArn()).isNull();
    assertThat(decision.account()).isEqualTo(OWN);
  }

  /**
   * Issue 15, item 5: the routes to the account a backup is in, one row each. Without a policy, or through a policy
   * without roleArn, the operator's own credentials reach its own account only; another account is unreachable
   * (the caller waits), never called with the wrong credentials; an unknown own account is unknown, not "any".
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "no policy, own account                      | -      | 000000000000 | 000000000000 | PERMITTED   | -",
      "no policy, another account                  | -      | 000000000000 | 222233334444 | UNREACHABLE | AccountUnreachable",
      "no policy, own account unknown              | -      | -            | 222233334444 | UNREACHABLE | AccountUnknown",
      "no policy, new backup, own account unknown  | -      | -            | -            | PERMITTED   | -",
      "policy without role, own account            | own    | 000000000000 | 000000000000 | PERMITTED   | -",
      "policy without role, another account        | own    | 000000000000 | 222233334444 | UNREACHABLE | AccountUnreachable",
      "policy without role, own account unknown    | own    | -            | 000000000000 | UNREACHABLE | AccountUnknown",
      "role B, account B                           | B      | 000000000000 | 222233334444 | PERMITTED   | -",
      "role B, own account                         | B      | 000000000000 | 000000000000 | UNREACHABLE | AccountUnreachable",
      "role B and a policy without role, account B | B+own  | 000000000000 | 222233334444 | PERMITTED   | -",
      "role B and a policy without role, own       | B+own  | 000000000000 | 000000000000 | PERMITTED   | -",
  })
  void callsAboutABackupGoToItsOwnAccountOrWait(String scenario, String policies, String own, String account,
      AccessPolicy.Decision.Verdict verdict, String reason) {
    List<DynamoBackupPolicy> list = new java.util.ArrayList<>();
    if (policies.contains("B")) {
      var b = policy("b-role", List.of("team-b"), List.of("*"));
      b.getSpec().roleArn = ROLE_B;
      list.add(b);
    }
    if (policies.contains("own")) {
      list.add(policy("own-credentials", List.of("team-b"), List.of("*")));
    }
    var decision = AccessPolicy.of(list, REGION, Optional.ofNullable(dash(own))).forNamespace("team-b", Map.of())
        .delete("orders", REGION, dash(account));
    assertThat(decision.verdict()).as(decision.message()).isEqualTo(verdict);
    assertThat(decision.reason()).isEqualTo(dash(reason));
    if (decision.permitted() && account != null && !"-".equals(account)) {
      assertThat(decision.account()).as("calls go to the backup's own account").isEqualTo(account);
      assertThat(decision.roleArn()).isEqualTo(account.equals("222233334444") ? ROLE_B : null);
    }
  }

  private static String dash(String value) {
    return value == null || "-".equals(value) ? null : value;
  }

  @Test
  void aNamespaceNoPolicyCoversIsRefusedOnceAPolicyExists() {
    var decision = grants("team-c", policy("team-a", List.of("team-a"), List.of("*"))).backUp("orders", null);
    assertThat(decision.permitted()).isFalse();
    assertThat(decision.message()).contains("no DynamoBackupPolicy covers namespace team-c");
  }

  /** Issue 15, item 14: a tenant's messages name its own namespace's policies only, no other policy or role. */
  @Test
  void refusalsNameOnlyTheNamespacesOwnPolicies() {
    var other = policy("team-a-secret", List.of("team-a"), List.of("*"));
    other.getSpec().roleArn = "arn:aws:iam::999999999999:role/team-a";
    var own = policy("team-c", List.of("team-c"), List.of("orders-*"));
    var uncovered = grants("team-d", other, own).backUp("orders-1", null);
    var outside = grants("team-c", other, own).backUp("payments", null);
    var otherAccount = grants("team-c", other, own).delete("orders-1", REGION, "999999999999");
    for (var decision : List.of(uncovered, outside, otherAccount)) {
      assertThat(decision.permitted()).isFalse();
      assertThat(decision.message()).doesNotContain("team-a-secret", "999999999999:role", "team-a");
    }
  }

  @Test
  void tableOutsideThePatternsIsRefusedWithWhatIsAllowed() {
    var decision = grants("team-b", policy("team-b", List.of("team-b"), List.of("orders-*")))
        .backUp("payments", null);
    assertThat(decision.permitted()).isFalse();
    assertThat(decision.message()).isEqualTo("namespace team-b may back up tables matching [orders-*] in any region;"
        + " 'payments' is not among them (DynamoBackupPolicy team-b)");
  }

  @Test
  void globsMatchWholeNamesWithStarAndQuestionMark() {
    assertThat(AccessPolicy.globMatches("orders-*", "orders-eu")).isTrue();
    assertThat(AccessPolicy.globMatches("orders-*", "orders-")).isTrue();
    assertThat(AccessPolicy.globMatches("orders-*", "my-orders-eu")).isFalse();
    assertThat(AccessPolicy.globMatches("orders-?", "orders-1")).isTrue();
    assertThat(AccessPolicy.globMatches("orders-?", "orders-12")).isFalse();
    assertThat(AccessPolicy.globMatches("*", "anything")).isTrue();
    assertThat(AccessPolicy.globMatches("a.b", "axb")).as("regex characters are literal").isFalse();
    assertThat(AccessPolicy.globMatches("orders", "orders")).isTrue();
  }

  @Test
  void severalPoliciesCoveringOneNamespaceAddUp() {
    var a = policy("orders", List.of("team-b"), List.of("orders-*"));
    var b = policy("payments", List.of("team-b", "team-c"), List.of("payments"));
    assertThat(grants("team-b", a, b).backUp("orders-1", null).permitted()).isTrue();
    assertThat(grants("team-b", a, b).backUp("payments", null).permitted()).isTrue();
    assertThat(grants("team-c", a, b).backUp("orders-1", null).permitted()).isFalse();
    assertThat(grants("team-b", a, b).backUp("users", null).message())
        .contains("[orders-*, payments]", "DynamoBackupPolicy orders, payments");
  }

  @Test
  void regionsListRestrictsAndTheDefaultRegionAppliesWhenNoneIsNamed() {
    var p = policy("eu", List.of("team-b"), List.of("*"));
    p.getSpec().regions = List.of("eu-west-1");
    assertThat(grants("team-b", p).backUp("orders", null).permitted()).isTrue();
    assertThat(grants("team-b", p).backUp("orders", "eu-west-1").permitted()).isTrue();
    var refused = grants("team-b", p).backUp("orders", "us-east-1");
    assertThat(refused.permitted()).isFalse();
    assertThat(refused.message()).contains("not in region 'us-east-1'");
    assertThat(grants("team-b", p).restoreInto("orders").permitted()).as("a restore's region is its backup's")
        .isTrue();
  }

  @Test
  void emptyListsAllowNothingWhileAbsentRegionsAllowAny() {
    var noTables = policy("none", List.of("team-b"), List.of());
    assertThat(grants("team-b", noTables).backUp("orders", null).permitted()).isFalse();
    var noRegions = policy("nowhere", List.of("team-b"), List.of("*"));
    noRegions.getSpec().regions = List.of();
    assertThat(grants("team-b", noRegions).backUp("orders", REGION).permitted()).isFalse();
    var emptyNames = policy("empty", List.of(), List.of("*"));
    assertThat(grants("team-b", emptyNames).backUp("orders", null).permitted()).isFalse();
  }

  @Test
  void selectorsMatchLabelsAndExpressions() {
    var p = policy("selected", null, List.of("*"));
    p.getSpec().namespaceSelector = new LabelSelectorBuilder().withMatchLabels(Map.of("team", "b"))
        .addNewMatchExpression().withKey("env").withOperator("In").withValues("prod", "staging").endMatchExpression()
        .addNewMatchExpression().withKey("frozen").withOperator("DoesNotExist").endMatchExpression()
        .build();
    var policy = AccessPolicy.of(List.of(p), REGION, Optional.of(OWN));
    assertThat(policy.forNamespace("x", Map.of("team", "b", "env", "prod")).backUp("t1t", null).permitted()).isTrue();
    assertThat(policy.forNamespace("x", Map.of("team", "b", "env", "dev")).backUp("t1t", null).permitted()).isFalse();
    assertThat(policy.forNamespace("x", Map.of("team", "b", "env", "prod", "frozen", "yes")).backUp("t1t", null)
        .permitted()).isFalse();
    assertThat(policy.forNamespace("x", Map.of("env", "prod")).backUp("t1t", null).permitted()).isFalse();
  }

  @Test
  void selectorOperatorsFollowKubernetes() {
    Map<String, String> labels = Map.of("a", "1");
    assertThat(AccessPolicy.selects(new LabelSelector(), labels)).as("empty selector selects all").isTrue();
    assertThat(AccessPolicy.selects(expression("a", "NotIn", "2"), labels)).isTrue();
    assertThat(AccessPolicy.selects(expression("b", "NotIn", "2"), labels)).as("NotIn holds without the key")
        .isTrue();
    assertThat(AccessPolicy.selects(expression("a", "Exists"), labels)).isTrue();
    assertThat(AccessPolicy.selects(expression("b", "Exists"), labels)).isFalse();
    assertThat(AccessPolicy.selects(expression("a", "Bogus"), labels)).as("unknown operator selects nothing")
        .isFalse();
  }

  static LabelSelector expression(String key, String operator, String... values) {
    return new LabelSelectorBuilder().addNewMatchExpression().withKey(key).withOperator(operator)
        .withValues(values).endMatchExpression().build();
  }

  @Test
  void roleArnRoutesTheNamespaceAndBackupsMustBeOfItsAccount() {
    var p = policy("team-b", List.of("team-b"), List.of("orders-*"));
    p.getSpec().roleArn = ROLE_B;
    p.getSpec().allowAdoption = true;
    assertThat(grants("team-b", p).backUp("orders-1", null).roleArn()).isEqualTo(ROLE_B);
    assertThat(grants("team-b", p).adopt("orders-1", REGION, "222233334444").permitted()).isTrue();
    var otherAccount = grants("team-b", p).adopt("orders-1", REGION, "111111111111");
    assertThat(otherAccount.permitted()).isFalse();
    assertThat(otherAccount.reason()).isEqualTo(AccessPolicy.ACCOUNT_UNREACHABLE);
    assertThat(otherAccount.message()).contains("account 111111111111", ROLE_B);
  }

  @Test
  void adoptionNeedsAllowAdoptionAndDeletionCanBeWithheld() {
    var p = policy("team-b", List.of("team-b"), List.of("*"));
    assertThat(grants("team-b", p).adopt("orders", REGION, "000000000000").message())
        .contains("allows adoption");
    assertThat(grants("team-b", p).delete("orders", REGION, "000000000000").permitted())
        .as("allowDeletion defaults to true").isTrue();
    p.getSpec().allowDeletion = false;
    assertThat(grants("team-b", p).delete("orders", REGION, "000000000000").message())
        .contains("allows deletion");
    var deleter = policy("deleter", List.of("team-b"), List.of("orders"));
    assertThat(grants("team-b", p, deleter).delete("orders", REGION, "000000000000").permitted())
        .as("another policy covering the table may allow it").isTrue();
  }

  @Test
  void theFirstPolicyByNameDecidesTheRoleWhenSeveralCoverATable() {
    var z = policy("z", List.of("team-b"), List.of("*"));
    z.getSpec().roleArn = "arn:aws:iam::999999999999:role/z";
    var a = policy("a", List.of("team-b"), List.of("orders"));
    a.getSpec().roleArn = ROLE_B;
    assertThat(grants("team-b", z, a).backUp("orders", null).roleArn()).isEqualTo(ROLE_B);
    assertThat(grants("team-b", z, a).backUp("users", null).roleArn()).isEqualTo("arn:aws:iam::999999999999:role/z");
  }
}

package io.dynamobackup.operator.policy;

import io.dynamobackup.operator.api.DynamoBackupPolicy;
import io.dynamobackup.operator.api.DynamoBackupPolicySpec;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What DynamoBackupPolicies allow, decided without Kubernetes or AWS: given all policies and a namespace (name and
 * labels), the union of what the policies covering it grant. No policy at all means single-tenant: everything is
 * allowed. Once one exists, a namespace that none covers may touch nothing.
 *
 * <p>Every call about a backup or table that already exists goes to its own account: through the role of a policy
 * in that account, or with the operator's own credentials when that account is the operator's own. A policy
 * without roleArn reaches the operator's own account only; no route to an account means waiting, never calling
 * another account (whose "not found" would read as "deleted").
 */
public final class AccessPolicy {

  /** The Ready reason (and Event reason) of a refusal. */
  public static final String NOT_PERMITTED = "NotPermitted";
  /** No policy gives a route to the account the backup or table is in. */
  public static final String ACCOUNT_UNREACHABLE = "AccountUnreachable";
  /** The operator's own account is not known yet (STS GetCallerIdentity has not answered). */
  public static final String ACCOUNT_UNKNOWN = "AccountUnknown";

  private static final Pattern ROLE_ACCOUNT = Pattern.compile("arn:aws[a-z-]*:iam::(\\d{12}):role/.+");

  /** Stands for "not judged here": a restore's region is its backup's. */
  private static final String ANY_REGION = "*";

  private final List<DynamoBackupPolicy> policies;
  private final String defaultRegion;
  private final Optional<String> ownAccount;

  private AccessPolicy(List<DynamoBackupPolicy> policies, String defaultRegion, Optional<String> ownAccount) {
    this.policies = policies;
    this.defaultRegion = defaultRegion;
    this.ownAccount = ownAccount;
  }

  /**
   * @param defaultRegion the region of objects that name none (the operator's); may be null
   * @param ownAccount the account of the operator's own credentials; empty while it is not known
   */
  public static AccessPolicy of(Collection<DynamoBackupPolicy> policies, String defaultRegion,
      Optional<String> ownAccount) {
    return new AccessPolicy(policies.stream().filter(p -> p.getSpec() != null)
        .sorted(Comparator.comparing(p -> p.getMetadata().getName())).toList(), defaultRegion, ownAccount);
  }

  public boolean singleTenant() {
    return policies.isEmpty();
  }

  public int size() {
    return policies.size();
  }

  /** Policies that cannot be read (wrongly typed fields), with why: they grant nothing. */
  public List<String> unreadable() {
    return policies.stream().filter(p -> !p.getSpec().typeErrors().isEmpty())
        .map(p -> p.getMetadata().getName() + ": " + String.join("; ", p.getSpec().typeErrors())).toList();
  }

  /** The union of the policies covering this namespace. */
  public Grants forNamespace(String namespace, Map<String, String> labels) {
    List<DynamoBackupPolicy> covering = policies.stream()
        .filter(p -> covers(p.getSpec(), namespace, labels == null ? Map.of() : labels)).toList();
    return new Grants(namespace, covering);
  }

  /**
   * Whether a policy covers a namespace: named in spec.namespaces, or selected by spec.namespaceSelector. A policy
   * that cannot be read covers nothing, yet it counts: its presence alone ends single-tenant mode (failing closed).
   */
  static boolean covers(DynamoBackupPolicySpec spec, String namespace, Map<String, String> labels) {
    return spec.typeErrors().isEmpty() && spec.namespaces != null && spec.namespaces.contains(namespace)
        || spec.namespaceSelector != null && selects(spec.namespaceSelector, labels);
  }

  /** Kubernetes label selector semantics: every matchLabels pair and every matchExpressions requirement holds. */
  static boolean selects(LabelSelector selector, Map<String, String> labels) {
    if (selector.getMatchLabels() != null && !selector.getMatchLabels().entrySet().stream()
        .allMatch(e -> Objects.equals(labels.get(e.getKey()), e.getValue()))) {
      return false;
    }
    return selector.getMatchExpressions() == null
        || selector.getMatchExpressions().stream().allMatch(r -> holds(r, labels));
  }

  private static boolean holds(LabelSelectorRequirement requirement, Map<String, String> labels) {
    String value = labels.get(requirement.getKey());
    List<String> values = requirement.getValues() == null ? List.of() : requirement.getValues();
    return switch (requirement.getOperator()) {
      case "In" -> value != null && values.contains(value);
      case "NotIn" -> value == null || !values.contains(value);
      case "Exists" -> value != null;
      case "DoesNotExist" -> value == null;
      default -> false; // an unknown operator selects nothing rather than everything
    };
  }

  /** Glob match of a whole table name: '*' any run of characters (also none), '?' exactly one. */
  static boolean globMatches(String glob, String name) {
    StringBuilder regex = new StringBuilder();
    Matcher parts = Pattern.compile("[*?]|[^*?]+").matcher(glob);
    while (parts.find()) {
      String part = parts.group();
      regex.append(switch (part) {
        case "*" -> ".*";
        case "?" -> ".";
        default -> Pattern.quote(part);
      });
    }
    return Pattern.matches(regex.toString(), name);
  }

  /** The account of a role ARN, or empty when there is no role (the operator's own account, not known here). */
  static Optional<String> accountOf(String roleArn) {
    if (roleArn == null) {
      return Optional.empty();
    }
    Matcher matcher = ROLE_ACCOUNT.matcher(roleArn);
    return matcher.matches() ? Optional.of(matcher.group(1)) : Optional.empty();
  }

  /**
   * The verdict on one action. Permitted: through which role (null: the operator's own credentials), into which
   * account (null while unknown: a new backup in the operator's own account). Refused: the policies say no. Unreachable:
   * the policies would allow it, but no route reaches the account it is in; the caller waits.
   */
  public record Decision(Verdict verdict, String roleArn, String account, String reason, String message) {

    public enum Verdict { PERMITTED, REFUSED, UNREACHABLE }

    public boolean permitted() {
      return verdict == Verdict.PERMITTED;
    }

    static Decision allow(String roleArn, String account) {
      return new Decision(Verdict.PERMITTED, roleArn, account, null, null);
    }

    static Decision refuse(String message) {
      return new Decision(Verdict.REFUSED, null, null, NOT_PERMITTED, message);
    }

    static Decision unreachable(String reason, String message) {
      return new Decision(Verdict.UNREACHABLE, null, null, reason, message);
    }
  }

  /** The account a policy's calls go to: its role's, or the operator's own (empty while unknown). */
  private Optional<String> accountThrough(DynamoBackupPolicySpec spec) {
    return spec.roleArn != null ? accountOf(spec.roleArn) : ownAccount;
  }

  /** Without policies: the operator's own credentials, which reach its own account only. */
  private Decision ownCredentials(String account) {
    if (account == null) {
      return Decision.allow(null, ownAccount.orElse(null));
    }
    if (ownAccount.isEmpty()) {
      return unknownOwnAccount(account);
    }
    return account.equals(ownAccount.get()) ? Decision.allow(null, account)
        : Decision.unreachable(ACCOUNT_UNREACHABLE, "the backup is in account " + account + ", but the operator's"
            + " own credentials are of account " + ownAccount.get() + " and no DynamoBackupPolicy gives a role in "
            + account);
  }

  private static Decision unknownOwnAccount(String account) {
    return Decision.unreachable(ACCOUNT_UNKNOWN, "the backup is in account " + account + ", and the operator's own"
        + " account is not known yet (STS GetCallerIdentity has not answered; see the operator's log)");
  }

  /** What one namespace may do: the policies that cover it. */
  public final class Grants {
    private final String namespace;
    private final List<DynamoBackupPolicy> covering;

    Grants(String namespace, List<DynamoBackupPolicy> covering) {
      this.namespace = namespace;
      this.covering = covering;
    }

    /** CreateBackup of a table, or keeping an eye on a backup already made of it. */
    public Decision backUp(String table, String region) {
      return decide("back up", table, region, null, null, null);
    }

    /** A backup already recorded (or adopted): its table, region and account must be ours. */
    public Decision use(String table, String region, String account) {
      return decide("back up", table, region, account, null, null);
    }

    /** spec.backupArn: the backup must be one we may use, and a policy must allow adoption. */
    public Decision adopt(String table, String region, String account) {
      return decide("adopt backups of", table, region, account,
          s -> Boolean.TRUE.equals(s.allowAdoption), "allows adoption (spec.allowAdoption)");
    }

    /** DeleteBackup on deletion or expiry. */
    public Decision delete(String table, String region, String account) {
      return decide("delete backups of", table, region, account,
          s -> !Boolean.FALSE.equals(s.allowDeletion), "allows deletion (spec.allowDeletion)");
    }

    /** RestoreTableFromBackup into a new table of this name, in whichever region the policies allow. */
    public Decision restoreInto(String table) {
      return decide("restore into", table, ANY_REGION, null, null, null);
    }

    private Decision decide(String verb, String table, String region, String account,
        Predicate<DynamoBackupPolicySpec> allows, String allowsWhat) {
      if (policies.isEmpty()) {
        return ownCredentials(account);
      }
      if (covering.isEmpty()) {
        // only this namespace's own policies are named: a tenant reads this message
        return Decision.refuse("no DynamoBackupPolicy covers namespace " + namespace + "; objects in it may touch no"
            + " table");
      }
      String effectiveRegion = region != null ? region : defaultRegion;
      String allowed = "namespace " + namespace + " may " + verb + " tables matching " + tables() + " in "
          + regions();
      String by = " (DynamoBackupPolicy " + String.join(", ", names(covering)) + ")";
      if (table == null) {
        return Decision.refuse("namespace " + namespace + ": no table named");
      }
      List<DynamoBackupPolicy> forTable = covering.stream()
          .filter(p -> p.getSpec().tables != null && p.getSpec().tables.stream().anyMatch(g -> globMatches(g, table)))
          .toList();
      if (forTable.isEmpty()) {
        return Decision.refuse(allowed + "; '" + table + "' is not among them" + by);
      }
      List<DynamoBackupPolicy> inRegion = forTable.stream()
          .filter(p -> p.getSpec().regions == null || ANY_REGION.equals(region)
              || p.getSpec().regions.contains(effectiveRegion)).toList();
      if (inRegion.isEmpty()) {
        return Decision.refuse(allowed + "; table '" + table + "' is allowed in " + regionsOf(forTable)
            + ", not in region " + (effectiveRegion == null ? "(none)" : "'" + effectiveRegion + "'") + by);
      }
      List<DynamoBackupPolicy> ofAccount = inRegion.stream()
          .filter(p -> account == null || accountThrough(p.getSpec()).map(account::equals).orElse(false))
          .toList();
      if (ofAccount.isEmpty()) {
        if (ownAccount.isEmpty() && inRegion.stream().anyMatch(p -> p.getSpec().roleArn == null)) {
          return unknownOwnAccount(account);
        }
        return Decision.unreachable(ACCOUNT_UNREACHABLE, allowed + "; the backup is in account " + account
            + ", but table '" + table + "' is reached only through " + routesOf(inRegion) + by);
      }
      List<DynamoBackupPolicy> allowing = allows == null ? ofAccount
          : ofAccount.stream().filter(p -> allows.test(p.getSpec())).toList();
      if (allowing.isEmpty()) {
        return Decision.refuse("namespace " + namespace + ": no DynamoBackupPolicy covering table '" + table
            + "' in " + effectiveRegion + " " + allowsWhat + by);
      }
      // policies in name order: the first one's role
      String role = allowing.get(0).getSpec().roleArn;
      return Decision.allow(role, accountThrough(allowing.get(0).getSpec()).orElse(null));
    }

    private String tables() {
      Set<String> tables = new LinkedHashSet<>();
      covering.forEach(p -> tables.addAll(p.getSpec().tables == null ? List.of() : p.getSpec().tables));
      return tables.toString();
    }

    private String regions() {
      return regionsOf(covering);
    }
  }

  private static String regionsOf(List<DynamoBackupPolicy> policies) {
    if (policies.stream().anyMatch(p -> p.getSpec().regions == null)) {
      return "any region";
    }
    Set<String> regions = new LinkedHashSet<>();
    policies.forEach(p -> regions.addAll(p.getSpec().regions));
    return regions.toString();
  }

  private String routesOf(List<DynamoBackupPolicy> policies) {
    List<String> routes = new ArrayList<>();
    policies.forEach(p -> routes.add(p.getSpec().roleArn != null ? "role " + p.getSpec().roleArn
        : "the operator's own credentials (account " + ownAccount.orElse("unknown") + ")"));
    return String.join(", ", routes);
  }

  private static List<String> names(List<DynamoBackupPolicy> policies) {
    return policies.stream().map(p -> p.getMetadata().getName()).toList();
  }
}

package io.dynamobackup.operator.policy;

import io.dynamobackup.operator.api.DynamoBackupPolicy;
import io.dynamobackup.operator.api.DynamoRestore;
import io.dynamobackup.operator.aws.BackupArn;
import io.dynamobackup.operator.aws.TableArn;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the reconcilers learn what DynamoBackupPolicies allow. Each controller that needs it watches the policies
 * (cluster-scoped) and the namespaces (for their labels) through JOSDK informers of its own, so that a policy
 * change, or a namespace labelled into or out of a selector, reconciles the objects it may affect.
 */
public final class Tenancy {

  static final String SINGLE_TENANT = "no DynamoBackupPolicy: single-tenant, every namespace may back up every"
      + " table the operator's IAM role can reach";

  private static final Logger log = LoggerFactory.getLogger(Tenancy.class);

  private final String defaultRegion;
  private final Supplier<Optional<String>> ownAccount;
  /** The mode last logged: null before the first, so that it is said once and again only when it changes. */
  private final AtomicReference<Boolean> loggedSingleTenant = new AtomicReference<>();
  private final AtomicReference<List<String>> loggedUnreadable = new AtomicReference<>(List.of());

  /**
   * @param defaultRegion the operator's region, for objects that name none
   * @param ownAccount the account of the operator's own credentials, empty while unknown
   */
  public Tenancy(String defaultRegion, Supplier<Optional<String>> ownAccount) {
    this.defaultRegion = defaultRegion;
    this.ownAccount = ownAccount;
  }

  /** Says at startup whether the operator runs single-tenant; later changes are said when they are noticed. */
  public void announce(Collection<DynamoBackupPolicy> policies) {
    observe(AccessPolicy.of(policies, defaultRegion, Optional.empty()));
  }

  private AccessPolicy observe(AccessPolicy policy) {
    List<String> unreadable = policy.unreadable();
    if (!unreadable.equals(loggedUnreadable.getAndSet(unreadable)) && !unreadable.isEmpty()) {
      log.warn("DynamoBackupPolicy objects that cannot be read grant nothing until fixed: {}", unreadable);
    }
    Boolean before = loggedSingleTenant.getAndSet(policy.singleTenant());
    if (before == null || before != policy.singleTenant()) {
      if (policy.singleTenant()) {
        log.info(SINGLE_TENANT);
      } else {
        log.info("{} DynamoBackupPolicy object(s): multi-tenant, objects in namespaces no policy covers are"
            + " refused", policy.size());
      }
    }
    return policy;
  }

  /** Registers the informers in a controller; the view reads their caches. */
  public <P extends HasMetadata> View<P> watch(EventSourceContext<P> context) {
    Class<P> primary = context.getPrimaryResourceClass();
    var policies = new InformerEventSource<>(InformerEventSourceConfiguration.from(DynamoBackupPolicy.class, primary)
        .withName("policies")
        .withWatchAllNamespaces()
        // any policy change may change any namespace's permissions (even whether policies apply at all)
        .withSecondaryToPrimaryMapper(policy -> context.getPrimaryCache().list()
            .map(ResourceID::fromResource).collect(Collectors.toSet()))
        .build(), context);
    var namespaces = new InformerEventSource<>(InformerEventSourceConfiguration.from(Namespace.class, primary)
        .withName("namespaces")
        .withWatchAllNamespaces()
        .withSecondaryToPrimaryMapper(namespace -> context.getPrimaryCache()
            .list(namespace.getMetadata().getName()).map(ResourceID::fromResource).collect(Collectors.toSet()))
        .build(), context);
    return new View<>(policies, namespaces);
  }

  /** One controller's window on the policies and namespaces. */
  public final class View<P extends HasMetadata> {
    private final InformerEventSource<DynamoBackupPolicy, P> policies;
    private final InformerEventSource<Namespace, P> namespaces;

    View(InformerEventSource<DynamoBackupPolicy, P> policies, InformerEventSource<Namespace, P> namespaces) {
      this.policies = policies;
      this.namespaces = namespaces;
    }

    public List<EventSource<?, P>> eventSources() {
      return List.of(policies, namespaces);
    }

    /**
     * Whether both informers have started and synced. Until then nothing may be decided: an empty cache would read
     * as "no policy", which allows everything. Reconciles start after their controller's sources; a polling source
     * may ask earlier.
     */
    public boolean ready() {
      return policies.isRunning() && namespaces.isRunning();
    }

    /** What objects in this namespace may do, by the policies as the informer holds them now. */
    public AccessPolicy.Grants grants(String namespace) {
      if (!ready()) {
        throw new IllegalStateException("DynamoBackupPolicy and Namespace informers have not synced yet");
      }
      Map<String, String> labels = namespaces.get(new ResourceID(namespace))
          .map(n -> n.getMetadata().getLabels()).orElse(Map.of());
      return observe(AccessPolicy.of(policies.list().toList(), defaultRegion, ownAccount.get()))
          .forNamespace(namespace, labels);
    }
  }
}

package io.dynamobackup.operator.reconcile.backup;

import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.aws.AwsFailure;
import io.dynamobackup.operator.aws.CallAbandoned;
import io.dynamobackup.operator.aws.BackupPage;
import io.dynamobackup.operator.aws.BackupPage.BackupSummary;
import io.dynamobackup.operator.aws.BackupQuery;
import io.dynamobackup.operator.aws.BackupStore;
import io.dynamobackup.operator.observability.OperatorMetrics;
import io.dynamobackup.operator.reconcile.SpecRules;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.polling.PollingConfigurationBuilder;
import io.javaoperatorsdk.operator.processing.event.source.polling.PollingEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Observation by batch: every resync period, ListBackups pages per region (100 backups a page, within its 5/s
 * quota) instead of one DescribeBackup per object. A JOSDK polling event source: its cache holds each object's
 * summary, and a summary that changed (or vanished) triggers that object's reconcile. Each page is handed over as it
 * arrives, so that the status writes of a pass run alongside its remaining pages; the end of the pass only adds
 * what vanished. DescribeBackup stays for what the listing cannot tell: backups being created, and the full
 * description once.
 */
final class BackupListing extends PollingEventSource<BackupSummary, DynamoBackup, String> {

  static final String ARN_INDEX = "backupArn";
  static final int PAGE_SIZE = 100;
  /** A region with more backups than this is listed in part; the rest fall back to DescribeBackup. */
  static final int MAX_PAGES = 10_000;
  /**
   * Throttled answers in a row a pass retries before it gives up until the next period. Counted in a row, not per
   * pass: shards of one account share its ListBackups quota, and a long pass that overlaps another shard's is
   * throttled now and then all along while its limiter adapts, yet goes on.
   */
  static final int MAX_THROTTLED_PAGES = 10;

  private static final Logger log = LoggerFactory.getLogger(BackupListing.class);

  private final Passes passes;

  private BackupListing(Passes passes, Duration period) {
    super(BackupSummary.class, new PollingConfigurationBuilder<BackupSummary, String>(passes, period)
        .withName("backup-listing")
        .withResourceIDMapper(BackupSummary::backupArn)
        .build());
    this.passes = passes;
    passes.onPage = this::handlePage;
  }

  /** The objects one page named, at once: a changed summary reconciles its object without waiting for the pass. */
  private void handlePage(Map<ResourceID, Set<BackupSummary>> page) {
    page.forEach(this::handleResources);
  }

  /**
   * @param stores the store of each account, by the role assumed for it (null: the operator's own)
   * @param roleOf the role an object's backup is reached through ("" the operator's own); empty: not listed,
   *     since the policies refuse it
   * @param primaries the DynamoBackup cache, indexed here by ARN to map summaries to objects
   * @param leading whether this instance reconciles: a standby replica makes no AWS calls
   */
  static BackupListing create(Function<String, ? extends BackupStore> stores,
      Function<DynamoBackup, Optional<String>> roleOf, IndexedResourceCache<DynamoBackup> primaries, Clock clock,
      Duration period, BooleanSupplier leading, OperatorMetrics metrics) {
    return new BackupListing(new Passes(stores, roleOf, primaries, clock, leading, metrics), period);
  }

  static List<String> arnsOf(DynamoBackup backup) {
    var status = backup.getStatus();
    return status != null && status.backupArn != null ? List.of(status.backupArn) : List.of();
  }

  /** When the last complete listing of an account's region started; empty when there was none yet. */
  Optional<Instant> listedSince(String role, String region) {
    return Optional.ofNullable(passes.completed.get(new Route(role, Passes.key(region))));
  }

  /** One ListBackups pass lists one region of one account: role "" is the operator's own account. */
  record Route(String role, String region) {

    /** The account, as metrics name it: "self" for the operator's own, else the account ID of the role's ARN. */
    String account() {
      String[] arn = role.split(":");
      return role.isEmpty() ? "self" : arn.length > 4 && !arn[4].isEmpty() ? arn[4] : role;
    }

    String regionLabel() {
      return region.isEmpty() ? "default" : region;
    }
  }

  /** Lists now, outside the schedule: when this instance becomes the leader. */
  void refreshNow() {
    if (isRunning()) {
      getStateAndFillCache();
    }
  }

  /**
   * One listing of every (account, region) that has backups to watch; one that fails keeps its previous listing.
   */
  private static final class Passes implements GenericResourceFetcher<BackupSummary> {
    final Function<String, ? extends BackupStore> stores;
    final Function<DynamoBackup, Optional<String>> roleOf;
    final IndexedResourceCache<DynamoBackup> primaries;
    final Clock clock;
    final BooleanSupplier leading;
    final OperatorMetrics metrics;
    final Map<Route, Instant> completed = new ConcurrentHashMap<>();
    final Map<Route, Map<ResourceID, Set<BackupSummary>>> lastGood = new ConcurrentHashMap<>();
    /** Where each page's findings go as soon as they are known. */
    volatile Consumer<Map<ResourceID, Set<BackupSummary>>> onPage = page -> { };

    Passes(Function<String, ? extends BackupStore> stores, Function<DynamoBackup, Optional<String>> roleOf,
        IndexedResourceCache<DynamoBackup> primaries, Clock clock, BooleanSupplier leading,
        OperatorMetrics metrics) {
      this.stores = stores;
      this.roleOf = roleOf;
      this.primaries = primaries;
      this.clock = clock;
      this.leading = leading;
      this.metrics = metrics;
    }

    static String key(String region) {
      return region == null ? "" : region;
    }

    @Override
    public Map<ResourceID, Set<BackupSummary>> fetchResources() {
      if (!leading.getAsBoolean()) {
        return Map.of();
      }
      Set<Route> routes = new HashSet<>();
      primaries.list().filter(b -> b.getStatus() != null && b.getStatus().backupArn != null
              && !"DELETED".equals(b.getStatus().backupStatus))
          .forEach(b -> roleOf.apply(b).ifPresent(role ->
              routes.add(new Route(role, key(SpecRules.region(b.getSpec(), b.getStatus()))))));
      lastGood.keySet().retainAll(routes);
      Map<ResourceID, Set<BackupSummary>> all = new HashMap<>();
      for (Route route : routes) {
        String region = route.region();
        Map<ResourceID, Set<BackupSummary>> found = new HashMap<>();
        try {
          Instant started = clock.instant();
          long start = System.nanoTime();
          list(stores.apply(route.role().isEmpty() ? null : route.role()), region.isEmpty() ? null : region, found);
          lastGood.put(route, found);
          completed.put(route, started);
          metrics.listingPass(route.account(), route.regionLabel(), Duration.ofNanos(System.nanoTime() - start),
              clock.instant());
        } catch (AwsFailure failure) {
          metrics.listingFailed(route.account(), route.regionLabel());
          log.warn("listing backups of region {}{} failed: {}; keeping the previous listing", region,
              route.role().isEmpty() ? "" : " as " + route.role(), failure.toString());
          keepWithNewer(route, found);
        } catch (CallAbandoned stopping) {
          log.debug("listing backups of region {} stopped: {}", region, stopping.getMessage());
          keepWithNewer(route, found);
        }
        lastGood.getOrDefault(route, Map.of()).forEach((id, summaries) ->
            all.computeIfAbsent(id, k -> new HashSet<>()).addAll(summaries));
      }
      return all;
    }

    /**
     * An incomplete pass: the previous listing stands, but not over what this pass's pages have already handed over,
     * which is newer (going back to the older summaries would reconcile those objects with stale figures).
     */
    private void keepWithNewer(Route route, Map<ResourceID, Set<BackupSummary>> found) {
      if (!found.isEmpty()) {
        var kept = new HashMap<>(lastGood.getOrDefault(route, Map.of()));
        kept.putAll(found);
        lastGood.put(route, kept);
      }
    }

    /** Pages through one region's backups into {@code found}, handing each page over as it arrives. */
    private void list(BackupStore store, String region, Map<ResourceID, Set<BackupSummary>> found) {
      BackupQuery query = BackupQuery.all().limit(PAGE_SIZE);
      int throttled = 0;
      for (int page = 0; page < MAX_PAGES; page++) {
        BackupPage result;
        try {
          result = store.list(region, query);
        } catch (AwsFailure failure) {
          if (failure.kind() != AwsFailure.Kind.THROTTLED || ++throttled > MAX_THROTTLED_PAGES) {
            throw failure;
          }
          page--; // the same page again: the limiter has its slot, and slows down if this goes on
          continue;
        }
        throttled = 0;
        Map<ResourceID, Set<BackupSummary>> named = new HashMap<>();
        for (BackupSummary summary : result.backups()) {
          for (DynamoBackup backup : primaries.byIndex(ARN_INDEX, summary.backupArn())) {
            named.computeIfAbsent(ResourceID.fromResource(backup), k -> new HashSet<>()).add(summary);
          }
        }
        // an object's ARN is listed once, so a page holds the whole set of the objects it names
        named.forEach((id, summaries) -> found.merge(id, summaries, (a, b) -> {
          var both = new HashSet<>(a);
          both.addAll(b);
          return both;
        }));
        onPage.accept(named);
        if (!result.hasMore()) {
          return;
        }
        query = query.startingAfter(result.lastEvaluatedBackupArn());
      }
      throw new AwsFailure(AwsFailure.Kind.TERMINAL, "TooManyBackups", "more than " + MAX_PAGES * PAGE_SIZE
          + " backups in region " + region);
    }
  }
}

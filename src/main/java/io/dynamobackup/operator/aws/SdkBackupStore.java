package io.dynamobackup.operator.aws;

import io.dynamobackup.operator.api.BackupDescription;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BackupTypeFilter;
import software.amazon.awssdk.services.dynamodb.model.ListBackupsRequest;
import software.amazon.awssdk.services.dynamodb.model.Tag;

/**
 * {@link BackupStore} and {@link TableStore} on the AWS SDK for Java v2: one DynamoDB client per region, built on
 * first use.
 *
 * <p>The SDK's own retries are off: the reconciler is the one retry layer, so every attempt is visible in status
 * and events, and a throttled account is not hit again by hidden retries.
 */
public final class SdkBackupStore implements AccountClient, AutoCloseable {

  private final String defaultRegion;
  private final Optional<URI> endpointOverride;
  private final AwsCredentialsProvider credentials;
  private final Duration callTimeout;
  private final AwsCallObserver observer;
  private final QuotaLimiter limiter;
  private final Map<String, DynamoDbClient> clients = new ConcurrentHashMap<>();

  /** How long a ListBackups waits in place for its slot: pages are read by the background observer, in order. */
  static final Duration LIST_BLOCK = Duration.ofSeconds(30);

  public SdkBackupStore(String defaultRegion, Optional<URI> endpointOverride, AwsCredentialsProvider credentials,
      Duration callTimeout) {
    this(defaultRegion, endpointOverride, credentials, callTimeout, AwsCallObserver.NONE, QuotaLimiter.unlimited());
  }

  /**
   * @param defaultRegion region for objects that name none; may be null, then such objects fail with a clear
   *     TERMINAL failure
   * @param endpointOverride an explicit endpoint (the sandbox's emulator); empty: the SDK's own resolution,
   *     which honours AWS_ENDPOINT_URL
   * @param callTimeout longest one call may take
   * @param observer told of every call and its outcome (metrics)
   * @param limiter the client-side rate limits every call passes
   */
  public SdkBackupStore(String defaultRegion, Optional<URI> endpointOverride, AwsCredentialsProvider credentials,
      Duration callTimeout, AwsCallObserver observer, QuotaLimiter limiter) {
    this.defaultRegion = defaultRegion;
    this.endpointOverride = endpointOverride;
    this.credentials = credentials;
    this.callTimeout = callTimeout;
    this.observer = observer;
    this.limiter = limiter;
  }

  @Override
  public BackupDescription create(String region, String tableName, String backupName) {
    return call("CreateBackup", tableName + "/" + backupName, region, client -> SdkDescriptions.toApi(
        client.createBackup(r -> r.tableName(tableName).backupName(backupName)).backupDetails()));
  }

  @Override
  public BackupDescription describe(String region, String backupArn) {
    return call("DescribeBackup", backupArn, region, client -> SdkDescriptions.toApi(
        client.describeBackup(r -> r.backupArn(backupArn)).backupDescription()));
  }

  @Override
  public BackupDescription delete(String region, String backupArn) {
    return call("DeleteBackup", backupArn, region, client -> SdkDescriptions.toApi(
        client.deleteBackup(r -> r.backupArn(backupArn)).backupDescription()));
  }

  @Override
  public BackupPage list(String region, BackupQuery query) {
    return call("ListBackups", query.toString(), region, client -> {
      var request = ListBackupsRequest.builder()
          .tableName(query.tableName())
          .timeRangeLowerBound(query.createdAfter())
          .timeRangeUpperBound(query.createdBefore())
          .exclusiveStartBackupArn(query.exclusiveStartBackupArn())
          .limit(query.limit())
          .backupType(BackupTypeFilter.USER)
          .build();
      var response = client.listBackups(request);
      List<BackupPage.BackupSummary> backups = response.backupSummaries().stream()
          .map(s -> new BackupPage.BackupSummary(
              s.backupArn(), s.backupName(), s.tableName(), s.backupStatusAsString(), s.backupCreationDateTime(),
              s.backupSizeBytes()))
          .toList();
      return new BackupPage(backups, response.lastEvaluatedBackupArn());
    });
  }

  @Override
  public TableState restore(String region, RestoreRequest request) {
    var sdkRequest = SdkTables.toSdk(request);
    return call("RestoreTableFromBackup", request.targetTableName(), region, client -> SdkTables.toState(
        client.restoreTableFromBackup(sdkRequest).tableDescription()));
  }

  @Override
  public TableState restoreToPointInTime(String region, PointInTimeRequest request) {
    var sdkRequest = SdkTables.toSdk(request);
    return call("RestoreTableToPointInTime", request.targetTableName(), region, client -> SdkTables.toState(
        client.restoreTableToPointInTime(sdkRequest).tableDescription()));
  }

  @Override
  public TableState describeTable(String region, String tableName) {
    return call("DescribeTable", tableName, region, client -> SdkTables.toState(
        client.describeTable(r -> r.tableName(tableName)).table()));
  }

  @Override
  public TableState deleteTable(String region, String tableName) {
    return call("DeleteTable", tableName, region, client -> SdkTables.toState(
        client.deleteTable(r -> r.tableName(tableName)).tableDescription()));
  }

  @Override
  public ContinuousBackups describeContinuousBackups(String region, String tableName) {
    return call("DescribeContinuousBackups", tableName, region, client -> SdkTables.toState(
        client.describeContinuousBackups(r -> r.tableName(tableName)).continuousBackupsDescription()));
  }

  @Override
  public ContinuousBackups updatePointInTimeRecovery(String region, String tableName, boolean enabled) {
    return call("UpdateContinuousBackups", tableName, region, client -> SdkTables.toState(
        client.updateContinuousBackups(r -> r.tableName(tableName)
            .pointInTimeRecoverySpecification(p -> p.pointInTimeRecoveryEnabled(enabled)))
            .continuousBackupsDescription()));
  }

  @Override
  public TimeToLive describeTimeToLive(String region, String tableName) {
    return call("DescribeTimeToLive", tableName, region, client -> {
      var description = client.describeTimeToLive(r -> r.tableName(tableName)).timeToLiveDescription();
      return new TimeToLive(description.timeToLiveStatusAsString(), description.attributeName());
    });
  }

  @Override
  public void enableTimeToLive(String region, String tableName, String attributeName) {
    call("UpdateTimeToLive", tableName, region, client -> client.updateTimeToLive(r -> r.tableName(tableName)
        .timeToLiveSpecification(t -> t.enabled(true).attributeName(attributeName))));
  }

  @Override
  public TableState updateDeletionProtection(String region, String tableName, boolean enabled) {
    return call("UpdateTable", tableName, region, client -> SdkTables.toState(
        client.updateTable(r -> r.tableName(tableName).deletionProtectionEnabled(enabled)).tableDescription()));
  }

  @Override
  public TableState enableStream(String region, String tableName, String viewType) {
    return call("UpdateTable", tableName, region, client -> SdkTables.toState(
        client.updateTable(r -> r.tableName(tableName)
            .streamSpecification(s -> s.streamEnabled(true).streamViewType(viewType))).tableDescription()));
  }

  @Override
  public TagPage listTags(String region, String tableArn, String nextToken) {
    return call("ListTagsOfResource", tableArn, region, client -> {
      var response = client.listTagsOfResource(r -> r.resourceArn(tableArn).nextToken(nextToken));
      Map<String, String> tags = new TreeMap<>();
      response.tags().forEach(tag -> tags.put(tag.key(), tag.value()));
      return new TagPage(tags, response.nextToken());
    });
  }

  @Override
  public void tag(String region, String tableArn, Map<String, String> tags) {
    call("TagResource", tableArn, region, client -> client.tagResource(r -> r.resourceArn(tableArn)
        .tags(tags.entrySet().stream().map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build())
            .toList())));
  }

  /**
   * One AWS call: through the rate limit (which may hold it back for later), then the SDK, then the one
   * classification. {@code subject} names what the call is about, so that a held-back caller keeps its place.
   */
  private <T> T call(String name, String subject, String region, Function<DynamoDbClient, T> operation) {
    String effectiveRegion = region != null && !region.isBlank() ? region : defaultRegion;
    if (effectiveRegion == null || effectiveRegion.isBlank()) {
      throw new AwsFailure(AwsFailure.Kind.TERMINAL, AwsFailure.MISSING_REGION,
          "no AWS region: set spec.region, or AWS_REGION for the operator");
    }
    long asked = System.nanoTime();
    QuotaLimiter.Admission admission = limiter.admit(effectiveRegion, name, subject,
        "ListBackups".equals(name) ? LIST_BLOCK : Duration.ZERO);
    long start = System.nanoTime();
    observer.waited(name, effectiveRegion, admission.mayGo() ? Duration.ofNanos(start - asked)
        : admission.comeBackIn());
    if (!admission.mayGo()) {
      throw AwsFailure.quotaWait(name, admission.comeBackIn());
    }
    String outcome = AwsCallObserver.outcomeOf(null);
    try {
      T result = classified(name, effectiveRegion, operation);
      admission.departure().answered();
      return result;
    } catch (CallAbandoned e) {
      outcome = AwsCallObserver.ABANDONED;
      throw e;
    } catch (AwsFailure e) {
      outcome = AwsCallObserver.outcomeOf(e);
      if (!AwsFailure.NO_ANSWER.equals(e.code())) {
        admission.departure().answered(); // a call without an answer may still arrive: its arrival stays a guess
      }
      if (e.kind() == AwsFailure.Kind.THROTTLED) {
        limiter.throttled(effectiveRegion, name);
        // Under a rate limit, a throttled call goes again at its next slot rather than after a growing backoff:
        // the limiter already paces (and slows down if throttling goes on).
        Optional<Duration> next = limiter.reserveAgain(effectiveRegion, name, subject);
        if (next.isPresent()) {
          throw AwsFailure.quotaWait(name + " (throttled by AWS: " + e.getMessage() + ")", next.get());
        }
      }
      throw e;
    } finally {
      observer.called(name, effectiveRegion, outcome, Duration.ofNanos(System.nanoTime() - start));
    }
  }

  private <T> T classified(String name, String region, Function<DynamoDbClient, T> operation) {
    try {
      return operation.apply(clients.computeIfAbsent(region, this::newClient));
    } catch (AwsServiceException e) {
      String code = e.awsErrorDetails() != null ? e.awsErrorDetails().errorCode() : null;
      String message = e.awsErrorDetails() != null && e.awsErrorDetails().errorMessage() != null
          ? e.awsErrorDetails().errorMessage() : e.getMessage();
      return fail(AwsFailure.kindOf(code, e.statusCode()), code != null ? code : "HTTP" + e.statusCode(), message, e);
    } catch (SdkException e) {
      if (abandoned(e)) {
        throw new CallAbandoned(name, e);
      }
      // No answer from AWS (connection refused, timeout, unknown host): nothing was decided there.
      return fail(AwsFailure.kindOf(null, 0), AwsFailure.NO_ANSWER, e.getMessage(), e);
    }
  }

  /**
   * Whether the call ended because its thread was interrupted (the operator is stopping). The SDK's own call
   * timeout interrupts the thread too, but it answers ApiCallTimeoutException: that is a call without an answer.
   */
  private static boolean abandoned(SdkException e) {
    if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException) {
      return false;
    }
    if (e instanceof AbortedException || Thread.currentThread().isInterrupted()) {
      return true;
    }
    for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
      if (cause instanceof InterruptedException) {
        return true;
      }
    }
    return false;
  }

  private static <T> T fail(AwsFailure.Kind kind, String code, String message, Throwable cause) {
    throw new AwsFailure(kind, code, message, cause);
  }

  private DynamoDbClient newClient(String region) {
    var builder = DynamoDbClient.builder()
        .region(Region.of(region))
        .credentialsProvider(credentials)
        .httpClientBuilder(Apache5HttpClient.builder())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()).apiCallTimeout(callTimeout));
    endpointOverride.ifPresent(builder::endpointOverride);
    return builder.build();
  }

  @Override
  public void close() {
    clients.values().forEach(DynamoDbClient::close);
    clients.clear();
  }

}

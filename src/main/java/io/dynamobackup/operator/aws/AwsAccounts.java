package io.dynamobackup.operator.aws;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * The stores of every AWS account the operator works in: its own (the default credentials chain), and one per
 * DynamoBackupPolicy roleArn, reached through STS AssumeRole. Each account gets its own SDK clients per region and
 * its own rate limiters, since AWS's quotas are per account and region.
 */
public final class AwsAccounts implements AutoCloseable {

  /** The session name AssumeRole is called with: CloudTrail shows it in the assumed role's calls. */
  public static final String SESSION_NAME = "dynamo-backup-operator";

  /** Builds the store of one account from its credentials, with a rate limiter of its own. */
  @FunctionalInterface
  public interface StoreFactory {
    SdkBackupStore create(AwsCredentialsProvider credentials);
  }

  /** After STS GetCallerIdentity failed, how long until it is asked again (each reconcile may need the answer). */
  static final Duration OWN_ACCOUNT_RETRY = Duration.ofSeconds(10);

  private static final Logger log = LoggerFactory.getLogger(AwsAccounts.class);

  private final SdkBackupStore own;
  private final StoreFactory factory;
  private final StsClient sts;
  private final Map<String, SdkBackupStore> assumed = new ConcurrentHashMap<>();
  private final Map<String, StsAssumeRoleCredentialsProvider> providers = new ConcurrentHashMap<>();
  private volatile String ownAccount;
  private long nextOwnAccountAttempt = System.nanoTime();

  /**
   * @param own the store of the operator's own credentials
   * @param sts the STS client AssumeRole and GetCallerIdentity are called with (the operator's own credentials);
   *     null: no roles
   */
  public AwsAccounts(SdkBackupStore own, StoreFactory factory, StsClient sts) {
    this(own, factory, sts, null);
  }

  private AwsAccounts(SdkBackupStore own, StoreFactory factory, StsClient sts, String ownAccount) {
    this.own = own;
    this.factory = factory;
    this.sts = sts;
    this.ownAccount = ownAccount;
  }

  /** Only the operator's own account, whose number is known: a roleArn fails with a TERMINAL failure. */
  public static AwsAccounts single(SdkBackupStore own, String ownAccount) {
    return new AwsAccounts(own, null, null, ownAccount);
  }

  /**
   * The account of the operator's own credentials, asked of STS GetCallerIdentity once (it needs no permission);
   * empty while STS has not answered. Calls about a backup are routed by its account: guessing is never an option.
   */
  public Optional<String> ownAccount() {
    if (ownAccount != null || sts == null) {
      return Optional.ofNullable(ownAccount);
    }
    synchronized (this) {
      if (ownAccount == null && System.nanoTime() - nextOwnAccountAttempt >= 0) {
        try {
          ownAccount = sts.getCallerIdentity().account();
          log.info("the operator's own AWS account is {}", ownAccount);
        } catch (SdkException e) {
          nextOwnAccountAttempt = System.nanoTime() + OWN_ACCOUNT_RETRY.toNanos();
          log.warn("STS GetCallerIdentity failed: {}; calls about backups in a known account wait until it answers"
              + " (next attempt in {}s)", e.getMessage(), OWN_ACCOUNT_RETRY.toSeconds());
        }
      }
      return Optional.ofNullable(ownAccount);
    }
  }

  /**
   * An STS client with the operator's own credentials. Without an explicit endpoint, the SDK's resolution applies,
   * which honours AWS_ENDPOINT_URL (and AWS_ENDPOINT_URL_STS) like the DynamoDB client does.
   */
  public static StsClient stsClient(String region, Optional<URI> endpoint, AwsCredentialsProvider credentials) {
    var builder = StsClient.builder()
        .region(Region.of(region != null ? region : "us-east-1"))
        .credentialsProvider(credentials)
        .httpClientBuilder(Apache5HttpClient.builder());
    endpoint.ifPresent(builder::endpointOverride);
    return builder.build();
  }

  /** The store for a policy's roleArn; null: the operator's own. Temporary credentials are cached and refreshed. */
  public SdkBackupStore store(String roleArn) {
    if (roleArn == null) {
      return own;
    }
    if (sts == null) {
      throw new AwsFailure(AwsFailure.Kind.TERMINAL, AwsFailure.ASSUME_ROLE_UNAVAILABLE,
          "this operator was started without STS; it cannot assume " + roleArn);
    }
    return assumed.computeIfAbsent(roleArn, arn -> factory.create(providers.computeIfAbsent(arn,
        a -> StsAssumeRoleCredentialsProvider.builder()
            .stsClient(sts)
            .refreshRequest(r -> r.roleArn(a).roleSessionName(SESSION_NAME))
            .build())));
  }

  @Override
  public void close() {
    assumed.values().forEach(SdkBackupStore::close);
    providers.values().forEach(StsAssumeRoleCredentialsProvider::close);
    own.close();
    if (sts != null) {
      sts.close();
    }
  }
}

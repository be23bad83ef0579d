package io.dynamobackup.operator.aws;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
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

  private final SdkBackupStore own;
  private final StoreFactory factory;
  private final StsClient sts;
  private final Map<String, SdkBackupStore> assumed = new ConcurrentHashMap<>();
  private final Map<String, StsAssumeRoleCredentialsProvider> providers = new ConcurrentHashMap<>();

  /**
   * @param own the store of the operator's own credentials
   * @param sts the STS client AssumeRole is called with (the operator's own credentials); null: no roles
   */
  public AwsAccounts(SdkBackupStore own, StoreFactory factory, StsClient sts) {
    this.own = own;
    this.factory = factory;
    this.sts = sts;
  }

  /** Only the operator's own account: a roleArn fails with a TERMINAL failure. */
  public static AwsAccounts single(SdkBackupStore own) {
    return new AwsAccounts(own, null, null);
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
      throw new AwsFailure(AwsFailure.Kind.TERMINAL, "AssumeRoleUnavailable",
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

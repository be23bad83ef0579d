package io.dynamobackup.operator.aws;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/** A failed AWS call, classified once here so that the reconciler decides on the kind alone. */
public final class AwsFailure extends RuntimeException {

  public enum Kind {
    /** Worth trying again after a backoff: backup or table in use, server errors, network trouble. */
    RETRYABLE,
    /** The account's quota was hit: slow down, then try again. */
    THROTTLED,
    /** The backup, or the table, does not exist (any more). */
    GONE,
    /** Trying again cannot help until someone changes something: validation, access, missing table. */
    TERMINAL
  }

  /** The code of a call that got no answer (connection refused, timeout): AWS may or may not have acted. */
  public static final String NO_ANSWER = "NoAnswer";

  // ResourceNotFoundException is DescribeTable's and DeleteTable's answer for a missing table. CreateBackup's
  // TableNotFoundException stays TERMINAL: there it means a backup cannot be made until the table exists.
  private static final Set<String> GONE_CODES = Set.of("BackupNotFoundException", "ResourceNotFoundException");
  private static final Set<String> THROTTLED_CODES = Set.of(
      "LimitExceededException", "ThrottlingException", "Throttling", "RequestLimitExceeded",
      "TooManyRequestsException", "ProvisionedThroughputExceededException");
  // ContinuousBackupsUnavailableException: AWS is still turning on backups of a new (e.g. restored) table.
  private static final Set<String> RETRYABLE_CODES = Set.of(
      "BackupInUseException", "TableInUseException", "ResourceInUseException", "InternalServerError",
      "ServiceUnavailable", "ExpiredTokenException", "RequestTimeout", "RequestTimeoutException",
      "ContinuousBackupsUnavailableException");

  /** The code of a call the client-side rate limit held back: it was not sent, and has a slot later. */
  public static final String QUOTA_WAIT = "QuotaWait";
  /** The code of a lookup of an unrecorded backup that did not finish; it is retried. */
  public static final String LOOKUP_INCOMPLETE = "LookupIncomplete";
  /** The code of a call that had no region to go to: it was not sent. */
  public static final String MISSING_REGION = "MissingRegion";
  /** The code of a call that had no credentials for its account: it was not sent. */
  public static final String ASSUME_ROLE_UNAVAILABLE = "AssumeRoleUnavailable";

  private static final Set<String> NOT_SENT_CODES = Set.of(QUOTA_WAIT, MISSING_REGION, ASSUME_ROLE_UNAVAILABLE);
  /** Answers by which AWS refused a request before acting on it. */
  private static final Set<String> REFUSED_CODES = Set.of(
      "ValidationException", "TableNotFoundException", "ResourceNotFoundException", "BackupNotFoundException",
      "AccessDeniedException", "UnrecognizedClientException", "TableAlreadyExistsException",
      "ContinuousBackupsUnavailableException");

  private final Kind kind;
  private final String code;
  private final Duration retryAfter;

  public AwsFailure(Kind kind, String code, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.code = code;
    this.retryAfter = null;
  }

  private AwsFailure(String message, Duration retryAfter) {
    super(message);
    this.kind = Kind.THROTTLED;
    this.code = QUOTA_WAIT;
    this.retryAfter = retryAfter;
  }

  /** Not sent: the slot reserved for this call under the operation's quota is {@code retryAfter} away. */
  public static AwsFailure quotaWait(String operation, Duration retryAfter) {
    return new AwsFailure(operation + " waits " + retryAfter.toMillis() + " ms for its slot under the quota",
        retryAfter);
  }

  public AwsFailure(Kind kind, String code, String message) {
    this(kind, code, message, null);
  }

  /** The one place where an AWS error code (and HTTP status, 0 when there was no answer) becomes a kind. */
  public static Kind kindOf(String errorCode, int httpStatus) {
    if (errorCode != null) {
      if (GONE_CODES.contains(errorCode)) {
        return Kind.GONE;
      }
      if (THROTTLED_CODES.contains(errorCode)) {
        return Kind.THROTTLED;
      }
      if (RETRYABLE_CODES.contains(errorCode)) {
        return Kind.RETRYABLE;
      }
    }
    if (httpStatus == 429) {
      return Kind.THROTTLED;
    }
    if (httpStatus == 0 || httpStatus >= 500) {
      return Kind.RETRYABLE;
    }
    return Kind.TERMINAL;
  }

  /**
   * The condition reasons of the failures retried with backoff (RETRYABLE and THROTTLED codes, and our own codes of
   * a call without an answer or a lookup cut short): what the Argo CD health scripts must show as Progressing.
   */
  public static Set<String> retriedReasons() {
    Set<String> reasons = new java.util.TreeSet<>(Set.of(NO_ANSWER, QUOTA_WAIT, LOOKUP_INCOMPLETE));
    java.util.stream.Stream.concat(RETRYABLE_CODES.stream(), THROTTLED_CODES.stream())
        .map(code -> code.replaceFirst("Exception$", "")).forEach(reasons::add);
    return reasons;
  }

  public Kind kind() {
    return kind;
  }

  /** The AWS error code (e.g. BackupInUseException), or a short name of our own for client-side failures. */
  public String code() {
    return code;
  }

  /** The condition reason for this failure: the AWS error code without its "Exception" suffix. */
  public String reason() {
    return code.endsWith("Exception") ? code.substring(0, code.length() - "Exception".length()) : code;
  }

  /** For a call the rate limit held back: when to call again (its reserved slot); empty for AWS's own answers. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  /**
   * Whether this failure proves that the call changed nothing in AWS: it was never sent, or AWS refused it before
   * acting (validation, a missing table, access denied, a quota). Only then may an intent to create be cleared. A
   * server error (5xx, also a gateway's code-less 502 or 504), or no answer at all, can come after the call took
   * effect: the intent stays and the next attempt looks for what the call may have made.
   */
  public boolean provesNothingHappened() {
    return NOT_SENT_CODES.contains(code) || kind == Kind.THROTTLED || REFUSED_CODES.contains(code);
  }

  @Override
  public String toString() {
    return code + ": " + getMessage();
  }
}

package io.dynamobackup.operator.reconcile;

import io.dynamobackup.operator.aws.BackupArn;
import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.api.DynamoBackupStatus;
import io.dynamobackup.operator.api.Durations;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import software.amazon.awssdk.regions.Region;

/**
 * What the spec means, and what is wrong with it: pure functions of the object, checked before any AWS call. The
 * CRD's schema and CEL rules say the same to the API server; these checks hold where those do not run.
 */
public final class SpecRules {

  public static final String INVALID_SPEC = "InvalidSpec";
  public static final String IMMUTABLE_FIELD_CHANGED = "ImmutableFieldChanged";
  public static final String BACKUP_TABLE_MISMATCH = "BackupTableMismatch";

  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_.-]{3,255}");
  private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d+");
  /**
   * The regions this SDK version knows. A typo (eu-wset-1) would otherwise go to a host that does not resolve and be
   * retried as a network failure forever; a region newer than the SDK is refused until the operator is upgraded.
   */
  private static final Set<String> KNOWN_REGIONS = Region.regions().stream().map(Region::id)
      .collect(Collectors.toUnmodifiableSet());

  private static final Duration LONGEST_RETENTION = Duration.ofDays(36500);

  /** A reason (for the Ready condition) and a message a user can act on. */
  public record Problem(String reason, String message) {}

  private SpecRules() {}

  /**
   * The backup name used for CreateBackup: spec.backupName, else NAMESPACE_NAME_UID8, which names this one object
   * (a namespace and a name cannot hold "_", so the parts cannot run into each other). The exactly-once lookup
   * relies on it: no other object asks for a backup of that name.
   */
  public static String backupName(DynamoBackup backup) {
    String name = backup.getSpec() == null ? null : backup.getSpec().backupName;
    if (name != null) {
      return name;
    }
    var metadata = backup.getMetadata();
    // the last 8 hex digits: random in a real uid, and the part that varies in test servers' sequential uids
    String uid = metadata.getUid() == null ? "" : metadata.getUid().replace("-", "");
    String suffix = "_" + uid.substring(Math.max(0, uid.length() - 8));
    String prefix = metadata.getNamespace() + "_" + metadata.getName();
    return prefix.substring(0, Math.min(prefix.length(), 255 - suffix.length())) + suffix;
  }

  /** The region to call: the recorded backup's own region when there is one, else spec.region (may be null). */
  public static String region(DynamoBackupSpec spec, DynamoBackupStatus status) {
    Optional<BackupArn> recorded = BackupArn.parse(status == null ? null : status.backupArn);
    if (recorded.isPresent()) {
      return recorded.get().region();
    }
    Optional<BackupArn> adopted = BackupArn.parse(spec.backupArn);
    return adopted.map(BackupArn::region).orElse(spec.region);
  }

  public static Optional<Problem> check(DynamoBackup backup) {
    DynamoBackupSpec spec = backup.getSpec();
    if (spec == null) {
      return invalid("spec is required");
    }
    return validate(backup, spec);
  }

  /**
   * When the backup expires under spec.retention: expiresAt, or its creation time plus expireAfter (unknown until
   * DynamoDB reported the creation time).
   */
  public static Optional<Instant> expiresAt(DynamoBackupSpec spec, DynamoBackupStatus status) {
    if (spec == null || spec.retention == null) {
      return Optional.empty();
    }
    if (spec.retention.expiresAt != null) {
      return parseTime(spec.retention.expiresAt);
    }
    Optional<Duration> after = Durations.parsePositive(spec.retention.expireAfter);
    String created = status == null || status.backupDescription == null
        || status.backupDescription.backupDetails == null ? null
        : status.backupDescription.backupDetails.backupCreationDateTime;
    return after.flatMap(a -> parseTime(created).map(t -> t.plus(a)));
  }

  public static boolean deletionProtected(DynamoBackupSpec spec) {
    return spec != null && Boolean.TRUE.equals(spec.deletionProtection);
  }

  private static Optional<Instant> parseTime(String time) {
    try {
      return time == null ? Optional.empty() : Optional.of(OffsetDateTime.parse(time).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static Optional<Problem> validate(DynamoBackup backup, DynamoBackupSpec spec) {
    if (!spec.typeErrors().isEmpty()) {
      return invalid(String.join("; ", spec.typeErrors()));
    }
    if (spec.backupArn != null && spec.backupArn.isBlank()) {
      return invalid("spec.backupArn is empty; give the ARN of a backup to adopt, or leave the field out");
    }
    if (isBlank(spec.tableName) && isBlank(spec.backupArn)) {
      return invalid("spec.tableName is required unless spec.backupArn is set");
    }
    if (spec.tableName != null && !NAME.matcher(spec.tableName).matches()) {
      return invalid("spec.tableName '" + spec.tableName + "' must be 3-255 characters of [a-zA-Z0-9_.-]");
    }
    if (spec.backupName != null && !NAME.matcher(spec.backupName).matches()) {
      return invalid("spec.backupName '" + spec.backupName + "' must be 3-255 characters of [a-zA-Z0-9_.-]");
    }
    if (spec.retention != null) {
      if (spec.retention.expireAfter != null && spec.retention.expiresAt != null) {
        return invalid("spec.retention takes expireAfter or expiresAt, not both");
      }
      if (spec.retention.expireAfter != null && Durations.parse(spec.retention.expireAfter).isEmpty()) {
        return invalid("spec.retention.expireAfter '" + spec.retention.expireAfter + "' is not a duration (like"
            + " 720h or 30d)");
      }
      if (spec.retention.expireAfter != null && Durations.parsePositive(spec.retention.expireAfter).isEmpty()) {
        return invalid("spec.retention.expireAfter '" + spec.retention.expireAfter + "' is not longer than zero;"
            + " it would delete the backup as soon as it is made");
      }
      if (spec.retention.expireAfter != null
          && Durations.parse(spec.retention.expireAfter).get().compareTo(LONGEST_RETENTION) > 0) {
        // beyond this, creation time plus the duration can overflow an Instant
        return invalid("spec.retention.expireAfter '" + spec.retention.expireAfter + "' is longer than 100 years"
            + " (36500d); leave retention out to keep the backup");
      }
      if (spec.retention.expiresAt != null && parseTime(spec.retention.expiresAt).isEmpty()) {
        return invalid("spec.retention.expiresAt '" + spec.retention.expiresAt + "' is not an RFC 3339 time (like"
            + " 2027-01-01T00:00:00Z)");
      }
    }
    if (spec.region != null) {
      Optional<Problem> region = unknownRegion("spec.region", spec.region);
      if (region.isPresent()) {
        return region;
      }
    }
    if (spec.backupArn != null) {
      Optional<BackupArn> arn = BackupArn.parse(spec.backupArn);
      if (arn.isEmpty()) {
        return invalid("spec.backupArn '" + spec.backupArn + "' is not a DynamoDB backup ARN"
            + " (arn:aws:dynamodb:REGION:ACCOUNT:table/TABLE/backup/ID)");
      }
      Optional<Problem> region = unknownRegion("the region of spec.backupArn", arn.get().region());
      if (region.isPresent()) {
        return region;
      }
      if (spec.region != null && !spec.region.equals(arn.get().region())) {
        return invalid("spec.region '" + spec.region + "' differs from the region '" + arn.get().region()
            + "' of spec.backupArn");
      }
      if (spec.tableName != null && !spec.tableName.equals(arn.get().table())) {
        return Optional.of(new Problem(BACKUP_TABLE_MISMATCH, "spec.backupArn is a backup of table '"
            + arn.get().table() + "', not of spec.tableName '" + spec.tableName + "'"));
      }
    }
    return Optional.empty();
  }

  private static Optional<Problem> unknownRegion(String field, String region) {
    if (!REGION.matcher(region).matches()) {
      return invalid(field + " '" + region + "' is not an AWS region name (like eu-west-1)");
    }
    if (!KNOWN_REGIONS.contains(region)) {
      String hint = KNOWN_REGIONS.stream().filter(known -> editDistance(known, region) <= 2).sorted().findFirst()
          .map(known -> "; did you mean " + known + "?").orElse("; if it is newer than the operator, upgrade it");
      return invalid(field + " '" + region + "' is not a known AWS region" + hint);
    }
    return Optional.empty();
  }

  /** Levenshtein distance, for a did-you-mean hint on region typos. */
  static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      int[] current = new int[b.length() + 1];
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      previous = current;
    }
    return previous[b.length()];
  }

  private static Optional<Problem> invalid(String message) {
    return Optional.of(new Problem(INVALID_SPEC, message));
  }

  private static boolean isBlank(String value) {
    return value == null || value.isBlank();
  }
}

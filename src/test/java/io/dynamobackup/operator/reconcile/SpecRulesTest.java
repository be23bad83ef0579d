package io.dynamobackup.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamobackup.operator.api.BackupDescription;
import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.api.DynamoBackupStatus;
import io.dynamobackup.operator.api.Retention;
import io.dynamobackup.operator.support.UnitTest;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@UnitTest
class SpecRulesTest {

  static final String ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/backup/01700000000000-abcdef12";

  @Test
  void aPlainSpecIsValid() {
    assertThat(SpecRules.check(backup("nightly", s -> s.tableName = "orders"))).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "no table, no ARN          | ''        | ''      | ''        | InvalidSpec | spec.tableName is required",
      "table with a space        | 'ord ers' | ''      | ''        | InvalidSpec | spec.tableName 'ord ers'",
      "table too short           | ab        | ''      | ''        | InvalidSpec | 3-255 characters",
      "backup name with a slash  | orders    | 'a/b'   | ''        | InvalidSpec | spec.backupName 'a/b'",
      "region typo               | orders    | ''      | euwest1   | InvalidSpec | spec.region 'euwest1'",
      "region not known          | orders    | ''      | eu-wset-1 | InvalidSpec | did you mean eu-west-1?",
      "region far from any known | orders    | ''      | xx-east-9 | InvalidSpec | upgrade it",
  })
  void badFieldsAreRefusedWithASpecificMessage(String title, String table, String backupName, String region,
      String reason, String message) {
    var problem = SpecRules.check(backup("nightly", s -> {
      s.tableName = table.isEmpty() ? null : table;
      s.backupName = backupName.isEmpty() ? null : backupName;
      s.region = region.isEmpty() ? null : region;
    }));

    assertThat(problem).hasValueSatisfying(p -> {
      assertThat(p.reason()).isEqualTo(reason);
      assertThat(p.message()).contains(message);
    });
  }

  @Test
  void defaultBackupNameNamesTheNamespaceTheObjectAndItsUid() {
    var backup = backup("ab", s -> s.tableName = "orders");
    backup.getMetadata().setUid("00000000-0000-4000-8000-00003f2a9c1b");

    assertThat(SpecRules.check(backup)).isEmpty();
    assertThat(SpecRules.backupName(backup)).isEqualTo("team-a_ab_3f2a9c1b");
  }

  @Test
  void defaultBackupNameIsCutToTheDynamoDbLimitKeepingTheUid() {
    var backup = backup("x".repeat(253), s -> s.tableName = "orders");
    backup.getMetadata().setUid("00000000-0000-4000-8000-00003f2a9c1b");

    String name = SpecRules.backupName(backup);
    assertThat(name).hasSize(255).startsWith("team-a_xxx").endsWith("x_3f2a9c1b");
  }

  @Test
  void malformedArnIsInvalid() {
    var problem = SpecRules.check(backup("adopt", s -> s.backupArn = "arn:aws:s3:::bucket"));

    assertThat(problem).hasValueSatisfying(p -> assertThat(p.message()).contains("not a DynamoDB backup ARN"));
  }

  @Test
  void arnOfAnotherTableIsABackupTableMismatch() {
    var problem = SpecRules.check(backup("adopt", s -> {
      s.backupArn = ARN;
      s.tableName = "payments";
    }));

    assertThat(problem).hasValueSatisfying(p -> {
      assertThat(p.reason()).isEqualTo("BackupTableMismatch");
      assertThat(p.message()).contains("'orders'", "'payments'");
    });
  }

  @Test
  void regionDisagreeingWithTheArnIsInvalid() {
    var problem = SpecRules.check(backup("adopt", s -> {
      s.backupArn = ARN;
      s.region = "us-east-1";
    }));

    assertThat(problem).hasValueSatisfying(p -> assertThat(p.message()).contains("'us-east-1'", "'eu-west-1'"));
  }

  @Test
  void regionComesFromTheRecordedArnBeforeTheSpec() {
    var spec = new DynamoBackupSpec("orders");
    spec.region = "us-east-1";

    assertThat(SpecRules.region(spec, null)).isEqualTo("us-east-1");
    assertThat(SpecRules.region(spec, recorded(ARN, "nightly"))).isEqualTo("eu-west-1");
  }

  @Test
  void retentionTakesOneOfExpireAfterAndExpiresAtInReadableForms() {
    var both = backup("nightly", s -> {
      s.tableName = "orders";
      s.retention = new Retention();
      s.retention.expireAfter = "30d";
      s.retention.expiresAt = "2027-01-01T00:00:00Z";
    });
    var badDuration = backup("nightly", s -> {
      s.tableName = "orders";
      s.retention = new Retention();
      s.retention.expireAfter = "a month";
    });
    var badTime = backup("nightly", s -> {
      s.tableName = "orders";
      s.retention = new Retention();
      s.retention.expiresAt = "next tuesday";
    });

    assertThat(SpecRules.check(both)).hasValueSatisfying(p -> assertThat(p.message()).contains("not both"));
    assertThat(SpecRules.check(badDuration)).hasValueSatisfying(p -> assertThat(p.message())
        .contains("expireAfter 'a month' is not a duration"));
    assertThat(SpecRules.check(badTime)).hasValueSatisfying(p -> assertThat(p.message())
        .contains("expiresAt 'next tuesday' is not an RFC 3339 time"));
  }

  @Test
  void expiryIsCountedFromTheBackupsCreationTime() {
    var spec = new DynamoBackupSpec("orders");
    spec.retention = new Retention();
    spec.retention.expireAfter = "30d";
    var status = recorded(ARN, "nightly");

    assertThat(SpecRules.expiresAt(spec, status)).isEmpty(); // creation time not known yet
    status.backupDescription.backupDetails.backupCreationDateTime = "2026-11-01T10:00:00Z";
    assertThat(SpecRules.expiresAt(spec, status)).contains(java.time.Instant.parse("2026-12-01T10:00:00Z"));
    spec.retention.expireAfter = null;
    spec.retention.expiresAt = "2027-01-01T01:00:00+01:00";
    assertThat(SpecRules.expiresAt(spec, status)).contains(java.time.Instant.parse("2027-01-01T00:00:00Z"));
  }

  @Test
  void explicitBackupNameWins() {
    assertThat(SpecRules.backupName(backup("nightly", s -> s.backupName = "explicit"))).isEqualTo("explicit");
  }

  static DynamoBackup backup(String name, Consumer<DynamoBackupSpec> spec) {
    var backup = new DynamoBackup();
    backup.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("team-a").withGeneration(1L).build());
    backup.setSpec(new DynamoBackupSpec());
    spec.accept(backup.getSpec());
    return backup;
  }

  static DynamoBackupStatus recorded(String arn, String backupName) {
    var status = new DynamoBackupStatus();
    status.backupArn = arn;
    status.backupDescription = new BackupDescription();
    status.backupDescription.backupDetails = new BackupDescription.BackupDetails();
    status.backupDescription.backupDetails.backupName = backupName;
    return status;
  }
}

package io.dynamobackup.operator.reconcile.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamobackup.operator.api.BackupDescription;
import io.dynamobackup.operator.api.BackupIdentity;
import io.dynamobackup.operator.api.BackupIdentity.Origin;
import io.dynamobackup.operator.api.DeletionPolicy;
import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSpec;
import io.dynamobackup.operator.api.DynamoBackupStatus;
import io.dynamobackup.operator.support.UnitTest;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Issue 15, item 4: the recorded identity against the spec as it is now. */
@UnitTest
class BackupIdentitiesTest {

  static final String REGION = "eu-west-1";
  static final String ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/backup/01700000000000-abcdef12";

  /** A created backup recorded as nightly / orders / eu-west-1, then the spec edited (no CEL rules in the way). */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "unchanged                     | orders   | nightly | eu-west-1 | -        | -",
      "region given, the same        | orders   | nightly | -         | -        | -",
      "tableName changed             | payments | nightly | eu-west-1 | -        | spec.tableName changed from 'orders' to 'payments'",
      "backupName changed            | orders   | renamed | eu-west-1 | -        | spec.backupName changed from 'nightly' to 'renamed'",
      "backupName removed            | orders   | -       | eu-west-1 | -        | spec.backupName was removed; the backup is named 'nightly'",
      "region changed                | orders   | nightly | us-east-1 | -        | spec.region changed from 'eu-west-1' to 'us-east-1'",
      "backupArn added               | orders   | nightly | eu-west-1 | " + ARN + " | spec.backupArn was added",
  })
  void aSpecThatNoLongerNamesTheCreatedBackupIsAChange(String title, String table, String name, String region,
      String backupArn, String change) {
    var backup = backup(s -> {
      s.tableName = dash(table);
      s.backupName = dash(name);
      s.region = dash(region);
      s.backupArn = dash(backupArn);
    });
    backup.setStatus(new DynamoBackupStatus());
    backup.getStatus().identity = new BackupIdentity(Origin.Created, "nightly", "orders", REGION, "123456789012");
    Optional<String> found = BackupIdentities.change(backup, REGION);
    if (change.equals("-")) {
      assertThat(found).isEmpty();
    } else {
      assertThat(found).hasValueSatisfying(why -> assertThat(why).contains(change, "immutable"));
    }
  }

  @Test
  void aChangeWhileTheIntentIsPendingIsAChangeToo() {
    var backup = backup(s -> s.tableName = "payments");
    backup.setStatus(new DynamoBackupStatus()); // no ARN yet: CreateBackup's answer was lost
    backup.getStatus().identity = new BackupIdentity(Origin.Created, "team-a_nightly_0000abcd", "orders", REGION,
        "123456789012");
    assertThat(BackupIdentities.change(backup, REGION)).hasValueSatisfying(why ->
        assertThat(why).contains("spec.tableName changed from 'orders' to 'payments'"));
  }

  @Test
  void removingTheAdoptedArnIsAChangeAndTheBackupStaysRetained() {
    var backup = backup(s -> s.tableName = "orders"); // spec.backupArn removed, deletionPolicy left to its default
    backup.setStatus(new DynamoBackupStatus());
    backup.getStatus().backupArn = ARN;
    backup.getStatus().identity = new BackupIdentity(Origin.Adopted, "someone-elses", "orders", REGION,
        "123456789012");

    assertThat(BackupIdentities.change(backup, REGION)).hasValueSatisfying(why ->
        assertThat(why).contains("spec.backupArn was removed after backup " + ARN + " was adopted"));
    assertThat(BackupIdentities.effectivePolicy(backup, BackupIdentities.recorded(backup, REGION)))
        .as("the recorded origin decides the default, not the spec as edited").isEqualTo(DeletionPolicy.Retain);
  }

  @Test
  void adoptedBackupsAreRetainedUnlessDeleteIsExplicit() {
    var adopted = backup(s -> s.backupArn = ARN);
    var created = backup(s -> s.tableName = "orders");
    var adoptedForDeletion = backup(s -> {
      s.backupArn = ARN;
      s.deletionPolicy = DeletionPolicy.Delete;
    });
    assertThat(BackupIdentities.effectivePolicy(adopted, Optional.empty())).isEqualTo(DeletionPolicy.Retain);
    assertThat(BackupIdentities.effectivePolicy(created, Optional.empty())).isEqualTo(DeletionPolicy.Delete);
    assertThat(BackupIdentities.effectivePolicy(adoptedForDeletion, Optional.empty()))
        .isEqualTo(DeletionPolicy.Delete);
  }

  @Test
  void anObjectRecordedBeforeIdentitiesWereIsJudgedByItsArnAndDescription() {
    var backup = backup(s -> {
      s.tableName = "orders";
      s.backupName = "renamed";
    });
    backup.setStatus(new DynamoBackupStatus());
    backup.getStatus().backupArn = ARN;
    backup.getStatus().backupDescription = new BackupDescription();
    backup.getStatus().backupDescription.backupDetails = new BackupDescription.BackupDetails();
    backup.getStatus().backupDescription.backupDetails.backupName = "nightly";

    assertThat(BackupIdentities.recorded(backup, REGION)).hasValueSatisfying(identity -> {
      assertThat(identity.account).isEqualTo("123456789012");
      assertThat(identity.backupName).isEqualTo("nightly");
    });
    assertThat(BackupIdentities.change(backup, REGION)).hasValueSatisfying(why -> assertThat(why)
        .contains("spec.backupName changed from 'nightly' to 'renamed'"));
  }

  @Test
  void theExpectedNameOfADefaultNamedBackupComesFromTheObjectItself() {
    var backup = backup(s -> s.tableName = "orders");
    assertThat(BackupIdentities.expected(backup, REGION).backupName).isEqualTo("team-a_nightly_0000abcd");
    assertThat(BackupIdentities.expected(backup, REGION).region).isEqualTo(REGION);
  }

  static DynamoBackup backup(Consumer<DynamoBackupSpec> spec) {
    var backup = new DynamoBackup();
    backup.setMetadata(new ObjectMetaBuilder().withName("nightly").withNamespace("team-a").withGeneration(1L)
        .withUid("00000000-0000-0000-0000-00000000abcd").build());
    backup.setSpec(new DynamoBackupSpec());
    spec.accept(backup.getSpec());
    return backup;
  }

  static String dash(String value) {
    return value == null || value.equals("-") ? null : value;
  }
}

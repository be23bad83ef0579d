package io.dynamobackup.operator.reconcile.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSchedule;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ShardLabelTest {

  static Stream<Arguments> owners() {
    return Stream.of(
        Arguments.of("sharded schedule", Map.of(ShardLabel.KEY, "shard-a", "team", "payments"),
            Map.of(DynamoBackupSchedule.SCHEDULE_LABEL, "nightly", ShardLabel.KEY, "shard-a")),
        Arguments.of("schedule in no shard", Map.of("team", "payments"),
            Map.of(DynamoBackupSchedule.SCHEDULE_LABEL, "nightly")),
        Arguments.of("schedule without labels", null, Map.of(DynamoBackupSchedule.SCHEDULE_LABEL, "nightly")),
        Arguments.of("Argo CD's tracking label stays behind",
            Map.of(ShardLabel.KEY, "shard-b", "app.kubernetes.io/instance", "backups"),
            Map.of(DynamoBackupSchedule.SCHEDULE_LABEL, "nightly", ShardLabel.KEY, "shard-b")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("owners")
  void aChildCarriesItsOwnersShardLabelAndNoOtherOfItsLabels(String what, Map<String, String> ownerLabels,
      Map<String, String> childLabels) {
    var schedule = new DynamoBackupSchedule();
    schedule.setMetadata(new ObjectMetaBuilder().withName("nightly").withLabels(ownerLabels).build());
    var child = new DynamoBackup();
    child.setMetadata(new ObjectMetaBuilder().withName("nightly-20261128-0300")
        .withLabels(Map.of(DynamoBackupSchedule.SCHEDULE_LABEL, "nightly")).build());

    ShardLabel.follow(schedule, child);

    assertThat(child.getMetadata().getLabels()).containsExactlyInAnyOrderEntriesOf(new HashMap<>(childLabels));
  }
}

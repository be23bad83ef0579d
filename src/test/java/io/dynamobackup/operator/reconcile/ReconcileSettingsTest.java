package io.dynamobackup.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamobackup.operator.support.UnitTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

@UnitTest
class ReconcileSettingsTest {

  final ReconcileSettings settings = ReconcileSettings.defaults();

  @Test
  void creatingBackupIsPolledAtHalfItsAgeWithinBounds() {
    assertThat(settings.creatingPoll(Duration.ZERO)).isEqualTo(Duration.ofSeconds(2));
    assertThat(settings.creatingPoll(Duration.ofSeconds(20))).isEqualTo(Duration.ofSeconds(10));
    assertThat(settings.creatingPoll(Duration.ofHours(2))).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void clockSkewThatMakesTheAgeNegativePollsAtTheMinimum() {
    assertThat(settings.creatingPoll(Duration.ofSeconds(-30))).isEqualTo(Duration.ofSeconds(2));
  }
}

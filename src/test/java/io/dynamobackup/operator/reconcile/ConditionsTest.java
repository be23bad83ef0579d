package io.dynamobackup.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamobackup.operator.support.UnitTest;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

@UnitTest
class ConditionsTest {

  static final Instant T0 = Instant.parse("2026-01-01T10:00:00.250Z");
  static final Instant T1 = Instant.parse("2026-01-01T10:05:00Z");

  @Test
  void settingAConditionTwiceReplacesItInPlace() {
    List<Condition> conditions = new ArrayList<>();
    Conditions.set(conditions, "Ready", false, "Creating", "creating", 1L, T0);
    Conditions.set(conditions, "Deleting", true, "BackupInUse", "in use", 1L, T0);
    Conditions.set(conditions, "Ready", true, "Available", "available", 2L, T1);

    assertThat(conditions).extracting(Condition::getType).containsExactly("Ready", "Deleting");
    Condition ready = conditions.get(0);
    assertThat(ready.getStatus()).isEqualTo("True");
    assertThat(ready.getReason()).isEqualTo("Available");
    assertThat(ready.getObservedGeneration()).isEqualTo(2L);
    assertThat(ready.getLastTransitionTime()).isEqualTo("2026-01-01T10:05:00Z");
  }

  @Test
  void transitionTimeMovesOnlyWhenTheStatusFlips() {
    List<Condition> conditions = new ArrayList<>();
    Conditions.set(conditions, "Deleting", true, "BackupInUse", "attempt 1", 1L, T0);
    Conditions.set(conditions, "Deleting", true, "LimitExceeded", "attempt 2", 1L, T1);

    assertThat(conditions).singleElement().satisfies(c -> {
      assertThat(c.getLastTransitionTime()).isEqualTo("2026-01-01T10:00:00Z");
      assertThat(c.getReason()).isEqualTo("LimitExceeded");
      assertThat(c.getMessage()).isEqualTo("attempt 2");
    });
    assertThat(Conditions.isTrue(conditions, "Deleting")).isTrue();
    assertThat(Conditions.isTrue(conditions, "Ready")).isFalse();
  }
}

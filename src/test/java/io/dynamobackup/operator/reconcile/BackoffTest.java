package io.dynamobackup.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamobackup.operator.support.UnitTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

@UnitTest
class BackoffTest {

  @Test
  void ceilingDoublesPerAttemptUpToTheMaximum() {
    var backoff = Backoff.of(Duration.ofSeconds(1), Duration.ofSeconds(10));

    assertThat(backoff.ceiling(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(backoff.ceiling(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(backoff.ceiling(4)).isEqualTo(Duration.ofSeconds(8));
    assertThat(backoff.ceiling(5)).isEqualTo(Duration.ofSeconds(10));
    assertThat(backoff.ceiling(500)).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void jitterStaysBetweenHalfAndAllOfTheCeiling() {
    var low = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), () -> 0.0);
    var high = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), () -> 0.999_999);

    assertThat(low.delay(3)).isEqualTo(Duration.ofSeconds(2));
    assertThat(high.delay(3)).isBetween(Duration.ofMillis(3999), Duration.ofSeconds(4));
  }

  @Test
  void realJitterSpreadsRetriesOfManyObjects() {
    var backoff = Backoff.of(Duration.ofSeconds(1), Duration.ofMinutes(5));
    var delays = java.util.stream.IntStream.range(0, 200).mapToObj(i -> backoff.delay(4)).distinct().count();

    assertThat(delays).isGreaterThan(50);
  }
}

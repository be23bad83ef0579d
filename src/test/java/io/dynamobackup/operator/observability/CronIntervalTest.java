package io.dynamobackup.operator.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamobackup.operator.support.UnitTest;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@UnitTest
class CronIntervalTest {

  @ParameterizedTest(name = "{0} in {1} at {2}: {3}")
  @CsvSource(nullValues = "-", textBlock = """
      '* * * * *',     -,             2026-11-25T10:00:30Z, PT1M
      '*/15 * * * *',  -,             2026-11-25T10:07:00Z, PT15M
      '0 3 * * *',     -,             2026-11-25T10:00:00Z, PT24H
      '0 3 * * *',     -,             2026-11-25T03:00:00Z, PT24H
      '0 3 * * 1-5',   -,             2026-11-23T10:00:00Z, PT72H
      '0 3 * * 1-5',   -,             2026-11-24T10:00:00Z, PT24H
      '0 3 * * 1-5',   -,             2026-11-22T10:00:00Z, PT24H
      '0 3 * * *',     Europe/Berlin, 2026-03-29T10:00:00Z, PT23H
      '0 3 * * *',     Europe/Berlin, 2026-10-25T10:00:00Z, PT25H
      '0 0 1 * *',     -,             2026-03-15T00:00:00Z, PT672H
      """)
  void theGapBetweenTheLatestRunAndTheOneBefore(String cron, String zone, Instant now, Duration expected) {
    assertThat(CronInterval.of(cron, zone, now)).contains(expected);
  }

  @ParameterizedTest(name = "{0} in {1}")
  @CsvSource(nullValues = "-", textBlock = """
      'not a cron',  -
      '61 * * * *',  -
      '0 3 * * *',   Mars/Olympus
      -,             -
      """)
  void noIntervalForAnInvalidCronOrZone(String cron, String zone) {
    assertThat(CronInterval.of(cron, zone, Instant.parse("2026-11-25T10:00:00Z"))).isEqualTo(Optional.empty());
  }
}

package io.dynamobackup.operator.api;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write them in manifests and environment variables: 90s, 10m, 720h, 30d, or ISO-8601. */
public final class Durations {

  private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  private Durations() {}

  /** A duration longer than zero: retention counts from it, and zero or less would mean "delete now". */
  public static Optional<Duration> parsePositive(String value) {
    return parse(value).filter(d -> !d.isNegative() && !d.isZero());
  }

  public static Optional<Duration> parse(String value) {
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    Matcher matcher = SHORT.matcher(value.trim());
    try {
      if (matcher.matches()) {
        long amount = Long.parseLong(matcher.group(1));
        return Optional.of(switch (matcher.group(2)) {
          case "ms" -> Duration.ofMillis(amount);
          case "s" -> Duration.ofSeconds(amount);
          case "m" -> Duration.ofMinutes(amount);
          case "h" -> Duration.ofHours(amount);
          default -> Duration.ofDays(amount);
        });
      }
      return Optional.of(Duration.parse(value.trim()));
    } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
      return Optional.empty(); // a number too large for a Duration is no duration either
    }
  }
}

package io.dynamobackup.operator.aws;

import java.util.Optional;
import java.util.regex.Pattern;

/** The parts of a DynamoDB backup ARN: arn:aws:dynamodb:REGION:ACCOUNT:table/TABLE/backup/ID. */
public record BackupArn(String partition, String region, String account, String table, String id) {

  private static final Pattern SHAPE = Pattern.compile(
      "arn:(aws[a-z-]*):dynamodb:([a-z0-9-]+):(\\d{12}):table/([a-zA-Z0-9_.-]{3,255})/backup/([0-9a-zA-Z-]+)");

  public static Optional<BackupArn> parse(String arn) {
    if (arn == null) {
      return Optional.empty();
    }
    var matcher = SHAPE.matcher(arn);
    if (!matcher.matches()) {
      return Optional.empty();
    }
    return Optional.of(new BackupArn(matcher.group(1), matcher.group(2), matcher.group(3), matcher.group(4),
        matcher.group(5)));
  }
}

package io.dynamobackup.operator.aws;

import java.util.Optional;
import java.util.regex.Pattern;

/** The parts of a DynamoDB table ARN: arn:aws:dynamodb:REGION:ACCOUNT:table/TABLE. */
public record TableArn(String partition, String region, String account, String table) {

  private static final Pattern SHAPE =
      Pattern.compile("arn:(aws[a-z-]*):dynamodb:([a-z0-9-]+):(\\d{12}):table/([a-zA-Z0-9_.-]{3,255})");

  public static Optional<TableArn> parse(String arn) {
    if (arn == null) {
      return Optional.empty();
    }
    var matcher = SHAPE.matcher(arn);
    if (!matcher.matches()) {
      return Optional.empty();
    }
    return Optional.of(new TableArn(matcher.group(1), matcher.group(2), matcher.group(3), matcher.group(4)));
  }
}

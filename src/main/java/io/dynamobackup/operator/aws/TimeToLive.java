package io.dynamobackup.operator.aws;

/** What DescribeTimeToLive tells: the status (ENABLED, ENABLING, DISABLING, DISABLED) and the attribute, if any. */
public record TimeToLive(String status, String attributeName) {}

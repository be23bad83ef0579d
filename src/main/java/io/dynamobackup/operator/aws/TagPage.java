package io.dynamobackup.operator.aws;

import java.util.Map;

/** One page of ListTagsOfResource; {@code nextToken} is null on the last page. */
public record TagPage(Map<String, String> tags, String nextToken) {}

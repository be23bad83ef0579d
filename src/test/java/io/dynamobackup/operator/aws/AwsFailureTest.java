package io.dynamobackup.operator.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamobackup.operator.aws.AwsFailure.Kind;
import io.dynamobackup.operator.support.UnitTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@UnitTest
class AwsFailureTest {

  @ParameterizedTest(name = "{0} ({1}) is {2}")
  @CsvSource({
      "BackupNotFoundException, 400, GONE",
      "BackupInUseException, 400, RETRYABLE",
      "LimitExceededException, 400, THROTTLED",
      "ThrottlingException, 400, THROTTLED",
      "RequestLimitExceeded, 400, THROTTLED",
      "InternalServerError, 500, RETRYABLE",
      "ServiceUnavailable, 503, RETRYABLE",
      "ExpiredTokenException, 400, RETRYABLE",
      "TableNotFoundException, 400, TERMINAL",
      "ResourceNotFoundException, 400, GONE",
      "ResourceInUseException, 400, RETRYABLE",
      "TableAlreadyExistsException, 400, TERMINAL",
      "PointInTimeRecoveryUnavailableException, 400, TERMINAL",
      "InvalidRestoreTimeException, 400, TERMINAL",
      "SourceTableNotFoundException, 400, TERMINAL",
      "AccessDeniedException, 400, TERMINAL",
      "ValidationException, 400, TERMINAL",
      "UnrecognizedClientException, 400, TERMINAL",
      "SomethingNew, 502, RETRYABLE",
      "SomethingNew, 429, THROTTLED",
      "SomethingNew, 403, TERMINAL",
      ", 0, RETRYABLE",
  })
  void errorCodesAreClassifiedOnce(String code, int httpStatus, Kind kind) {
    assertThat(AwsFailure.kindOf(code, httpStatus)).isEqualTo(kind);
  }

  /** Issue 15, item 2: only an answer that proves nothing happened may clear an intent to create or restore. */
  @ParameterizedTest(name = "{0} ({1}) proves nothing happened: {2}")
  @CsvSource({
      "ValidationException, 400, true",
      "TableNotFoundException, 400, true",
      "AccessDeniedException, 400, true",
      "LimitExceededException, 400, true",
      "ThrottlingException, 400, true",
      "TableAlreadyExistsException, 400, true",
      "InternalServerError, 500, false",
      "ServiceUnavailable, 503, false",
      "HTTP502, 502, false",
      "HTTP504, 504, false",
      "NoAnswer, 0, false",
      "SomethingNew, 400, false",
      "BackupInUseException, 400, false",
  })
  void onlyRefusalsProveThatACallChangedNothing(String code, int httpStatus, boolean nothingHappened) {
    var failure = new AwsFailure(AwsFailure.kindOf(code, httpStatus), code, "answer");
    assertThat(failure.provesNothingHappened()).isEqualTo(nothingHappened);
  }

  @org.junit.jupiter.api.Test
  void callsNeverSentProveNothingHappened() {
    assertThat(AwsFailure.quotaWait("CreateBackup", java.time.Duration.ofSeconds(1)).provesNothingHappened()).isTrue();
    assertThat(new AwsFailure(Kind.TERMINAL, AwsFailure.MISSING_REGION, "no region").provesNothingHappened())
        .isTrue();
  }

  @org.junit.jupiter.api.Test
  void theConditionReasonIsTheCodeWithoutItsExceptionSuffix() {
    assertThat(new AwsFailure(Kind.RETRYABLE, "BackupInUseException", "in use").reason()).isEqualTo("BackupInUse");
    assertThat(new AwsFailure(Kind.RETRYABLE, AwsFailure.NO_ANSWER, "timeout").reason()).isEqualTo("NoAnswer");
    assertThat(AwsFailure.quotaWait("DeleteBackup", java.time.Duration.ofSeconds(1)).reason()).isEqualTo("QuotaWait");
  }
}

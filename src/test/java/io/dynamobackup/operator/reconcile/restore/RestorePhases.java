package io.dynamobackup.operator.reconcile.restore;

import io.dynamobackup.operator.api.DynamoRestore;
import io.dynamobackup.operator.api.DynamoRestoreSpec;
import io.dynamobackup.operator.api.DynamoRestoreStatus;
import io.dynamobackup.operator.aws.RestoreRequest;
import io.dynamobackup.operator.aws.TableState;
import io.dynamobackup.operator.policy.Connection;
import io.dynamobackup.operator.reconcile.Conditions;
import io.dynamobackup.operator.reconcile.Failures;
import io.dynamobackup.operator.reconcile.Reasons;
import io.dynamobackup.operator.reconcile.ReconcileSettings;
import io.dynamobackup.operator.support.InMemoryAccount;
import io.dynamobackup.operator.support.MutableClock;
import io.dynamobackup.operator.support.RecordingEffects;
import io.dynamobackup.operator.support.Restores;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The restore's phases wired on an in-memory account, with one DynamoRestore of an AVAILABLE backup, as the phase
 * tests of this package drive them: one phase call is one reconcile on the object as last stored.
 */
final class RestorePhases {

  static final String REGION = "eu-west-1";
  static final String SOURCE_TABLE = "orders";
  static final String TARGET = "orders-restored";
  static final Instant START = Instant.parse("2027-01-01T10:00:00Z");
  static final ReconcileSettings SETTINGS = ReconcileSettings.defaults();

  final MutableClock clock = new MutableClock(START);
  final InMemoryAccount account = new InMemoryAccount(REGION, clock);
  final Connection.Connected aws = new Connection.Connected(account, null, InMemoryAccount.ACCOUNT, REGION);
  /** What the policies answer for the source's account. */
  Connection connection = aws;
  /** The other DynamoRestores aiming at the same target, as they recorded it. */
  final List<TableOwnership.OtherRestore> others = new ArrayList<>();
  final Failures failures = new Failures(SETTINGS);
  final RestoreRequester requester = new RestoreRequester(SETTINGS, failures,
      new RestoreObserver(SETTINGS, failures, new TableSettingsApplier(SETTINGS, clock)), step -> others);
  final RestoreDeleter deleter = new RestoreDeleter(SETTINGS, failures, (step, question, region) -> connection,
      requester, (step, liveOnly) -> others);
  final String sourceArn;
  DynamoRestore restore;
  RecordingEffects<DynamoRestore> effects;

  RestorePhases() {
    account.createTable(REGION, SOURCE_TABLE);
    sourceArn = account.create(REGION, SOURCE_TABLE, "nightly").backupDetails.backupArn;
    var spec = new DynamoRestoreSpec();
    spec.backupArn = sourceArn;
    spec.targetTableName = TARGET;
    restore = Restores.stored("restore", spec, START);
    account.clearCalls();
    clock.advance(Duration.ofMinutes(1));
  }

  /** One reconcile of a phase on the object as last stored; what it wrote is the object from then on. */
  <T> T run(Function<RestoreStep, T> phase) {
    effects = new RecordingEffects<>(restore);
    T control = phase.apply(new RestoreStep(restore, effects, clock));
    if (!effects.writes().isEmpty()) {
      restore = effects.lastWrite();
    }
    return control;
  }

  /** The status a reconcile left when its restore call got no recorded answer: the source and the intent. */
  void intentRecordedAt(Instant at) {
    var status = new DynamoRestoreStatus();
    status.sourceBackupArn = sourceArn;
    Conditions.set(status.conditions, Conditions.RESTORING, true, Reasons.RESTORE_REQUESTED, "requested", 1L, at);
    restore.setStatus(status);
  }

  /** The table a restore call of the source into the target makes now, as an earlier call whose answer was lost. */
  TableState restoredOutsideThisReconcile() {
    TableState table = account.restore(REGION, RestoreRequest.of(sourceArn, restore.getSpec()));
    account.clearCalls();
    return table;
  }

  /** Another DynamoRestore that records {@code table} as its own. */
  void anotherRestoreRecords(TableState table) {
    others.add(new TableOwnership.OtherRestore("default/other", table.tableArn(), table.tableId(), null, sourceArn));
  }
}

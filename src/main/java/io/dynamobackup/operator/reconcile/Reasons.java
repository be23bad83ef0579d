package io.dynamobackup.operator.reconcile;

/**
 * Every condition reason of our own, for every kind, in one place (the Argo CD health scripts' tests read them here).
 * An AWS failure's reason is its error code without the "Exception" suffix ({@code AwsFailure.reason()}).
 */
public final class Reasons {

  private Reasons() {}

  // Ready of a DynamoBackup
  /** The backup is AVAILABLE. */
  public static final String AVAILABLE = "Available";
  /** CreateBackup sent, or the backup CREATING (the Ready reason; Creating is also the intent's condition type). */
  public static final String BACKUP_CREATING = "Creating";
  /** The recorded backup no longer exists in AWS. */
  public static final String BACKUP_MISSING = "BackupMissing";
  /** spec.backupArn names no existing backup; a restore's source does not exist. */
  public static final String BACKUP_NOT_FOUND = "BackupNotFound";
  /** spec.backupArn is a backup of another table than spec.tableName. */
  public static final String BACKUP_TABLE_MISMATCH = "BackupTableMismatch";
  public static final String EXPIRED = "Expired";

  // The intent to create (condition Creating)
  /** The intent: CreateBackup requested, its answer not recorded yet. */
  public static final String CREATE_REQUESTED = "CreateRequested";
  /** The answer (or the lookup's finding) is recorded. */
  public static final String CREATED = "Created";

  // Deleting, DeletionBlocked and Expired
  public static final String DELETED = "Deleted";
  public static final String ALREADY_DELETED = "AlreadyDeleted";
  public static final String RETAINED = "Retained";
  public static final String NOTHING_TO_DELETE = "NothingToDelete";
  /** spec.deletionProtection keeps the object and its backup (DeletionBlocked=True). */
  public static final String DELETION_PROTECTION = "DeletionProtection";
  public static final String PROTECTION_LIFTED = "ProtectionLifted";
  /** Expiry came, but deletionPolicy Retain keeps the backup. */
  public static final String RETAINED_BY_POLICY = "RetainedByPolicy";
  /** Expiry came, but deletionProtection keeps the backup. */
  public static final String DELETION_PROTECTED = "DeletionProtected";
  /** A CreateBackup may still be in flight: the object is released only once it surely is over. */
  public static final String WAITING_FOR_CREATE = "WaitingForCreate";
  /** A restore uses the backup (confirmed in AWS, or requested so recently that its table may not show yet). */
  public static final String BACKUP_IN_USE = "BackupInUse";
  /** What AWS says of the recorded backup does not show it to be this object's: it is not deleted. */
  public static final String NOT_OWNED = "NotOwned";

  // Ready, Restoring and Deleting of a DynamoRestore
  /** The table is ACTIVE, restored, and every requested setting is in place. */
  public static final String RESTORED = "Restored";
  /** The restore call was sent, or the table is being restored (the Ready reason). */
  public static final String RESTORING = "Restoring";
  /** The intent: the restore call requested, its answer not recorded yet. */
  public static final String RESTORE_REQUESTED = "RestoreRequested";
  /** The table is CREATING from its source (Restoring=True; Deleting=True while a deletion waits for it). */
  public static final String RESTORE_IN_PROGRESS = "RestoreInProgress";
  /** The DynamoBackup a restore refers to is not AVAILABLE yet. */
  public static final String BACKUP_NOT_AVAILABLE = "BackupNotAvailable";
  /** A table of the target's name exists that this object did not make: it is never touched. */
  public static final String TABLE_ALREADY_EXISTS = "TableAlreadyExists";
  /** The restored table was deleted outside Kubernetes; it is not restored again. */
  public static final String TABLE_MISSING = "TableMissing";
  /** A table of the same name was made again outside Kubernetes: not followed, never deleted. */
  public static final String TABLE_REPLACED = "TableReplaced";
  /** A restore call may still be in flight: the object is released only once it surely is over. */
  public static final String WAITING_FOR_RESTORE = "WaitingForRestore";

  // Refusals of bad input, and of the policies
  public static final String INVALID_SPEC = "InvalidSpec";
  /** The status cannot be read (another writer put wrongly typed fields there): nothing is asked of AWS. */
  public static final String INVALID_STATUS = "InvalidStatus";
  public static final String IMMUTABLE_FIELD_CHANGED = "ImmutableFieldChanged";
  public static final String NOT_PERMITTED = "NotPermitted";
  public static final String RECONCILE_ERROR = "ReconcileError";

  // Events only
  public static final String ADOPTED_EARLIER_ATTEMPT = "AdoptedEarlierAttempt";
  public static final String RECREATING = "Recreating";
  public static final String RECREATE_IGNORED = "RecreateIgnored";
  public static final String EXPIRY_BLOCKED = "ExpiryBlocked";
  public static final String DELETION_BLOCKED = "DeletionBlocked";
}

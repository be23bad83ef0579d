package io.dynamobackup.operator.observability;

import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSchedule;
import io.dynamobackup.operator.api.DynamoRestore;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * What the fleet metrics read at each scrape: the operator's own informer caches of its primary resources (no
 * informers of their own, no API LISTs), which can be read while {@code started} says so.
 */
public record FleetCaches(Supplier<Stream<DynamoBackup>> backups, Supplier<Stream<DynamoBackupSchedule>> schedules,
    Supplier<Stream<DynamoRestore>> restores, BooleanSupplier started) {}

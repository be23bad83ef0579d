-- Argo CD health of a DynamoBackup (dynamobackup.io/v1alpha1), from the status the operator writes.
--
--   state                                                      health       message
--   metadata.deletionTimestamp set, and
--     DeletionBlocked=True (spec.deletionProtection)           Degraded     the condition's
--     Deleting=True with a terminal AWS error (AccessDenied)   Degraded     the condition's
--     Deleting=True otherwise (BackupInUse, throttled, ...)    Progressing  the condition's
--     otherwise                                                Progressing  "deleting"
--   no status yet                                              Progressing  waiting for the operator
--   Expired=True (retention deleted the backup; record kept)   Healthy      the condition's
--   status.observedGeneration behind metadata.generation       Progressing  waiting for the operator
--   backupStatus DELETED without Expired (deleted outside)     Missing      Ready's
--   Ready=True (AVAILABLE)                                     Healthy      Ready's, or Expired=False's
--   Ready=False, reason Creating (CREATING, CreateBackup sent) Progressing  Ready's
--   Ready=False, reason a retryable or throttled AWS error     Progressing  Ready's (names the next retry)
--   Ready=False, any other reason (InvalidSpec, TableNotFound, Degraded     Ready's
--     AccessDenied, BackupNotFound, ReconcileError, ...)
--   no Ready condition yet                                     Progressing  waiting for the operator
--
-- Expired is Healthy: an expired backup is the end of a lifecycle the spec asked for, and the object stays only so
-- that Argo CD does not re-create it. Suspended would keep every app with old backups out of Healthy for good.
-- DeletionBlocked is Degraded: a delete was asked for and will never finish until someone sets
-- spec.deletionProtection to false. (Argo CD itself reports any object with a deletionTimestamp as Progressing
-- "Pending deletion" without running this script; the deleting rows serve other users of the script.)
--
-- Ready's reason is the AWS error code without "Exception"; the condition does not say whether the operator
-- retries soon (retryable, throttled) or only once a minute (terminal), so the retrying codes are listed here as
-- in AwsFailure. HTTP<status> stands for an error without a code; NoAnswer for a call that got no answer.

local retrying = {
  BackupInUse = true, TableInUse = true, ResourceInUse = true, InternalServerError = true,
  ServiceUnavailable = true, ExpiredToken = true, RequestTimeout = true,
  LimitExceeded = true, Throttling = true, RequestLimitExceeded = true, TooManyRequests = true,
  ProvisionedThroughputExceeded = true,
  NoAnswer = true, LookupIncomplete = true, AccountUnknown = true, QuotaWait = true,
  ContinuousBackupsUnavailable = true
}

local function isRetrying(reason)
  if reason == nil then
    return false
  end
  return retrying[reason] == true or reason == "HTTP429" or string.match(reason, "^HTTP5%d%d$") ~= nil
end

local function condition(type)
  if obj.status == nil or obj.status.conditions == nil then
    return nil
  end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == type then
      return c
    end
  end
  return nil
end

local function isTrue(c)
  return c ~= nil and c.status == "True"
end

local function health(status, message)
  return { status = status, message = message or "" }
end

if obj.metadata.deletionTimestamp ~= nil then
  local blocked = condition("DeletionBlocked")
  if isTrue(blocked) then
    return health("Degraded", blocked.message)
  end
  local deleting = condition("Deleting")
  if isTrue(deleting) then
    if isRetrying(deleting.reason) or deleting.reason == "WaitingForCreate" then
      return health("Progressing", deleting.message)
    end
    return health("Degraded", deleting.message)
  end
  return health("Progressing", "deleting")
end

if obj.status == nil then
  return health("Progressing", "waiting for the operator")
end

local expired = condition("Expired")
if isTrue(expired) then
  return health("Healthy", expired.message)
end

local generation = obj.metadata.generation
if generation ~= nil and (obj.status.observedGeneration == nil or obj.status.observedGeneration < generation) then
  return health("Progressing", "waiting for the operator to observe generation " .. generation)
end

local ready = condition("Ready")
if obj.status.backupStatus == "DELETED" then
  return health("Missing", ready ~= nil and ready.message or "backup is DELETED")
end
if ready == nil then
  return health("Progressing", "waiting for the operator")
end
if ready.status == "True" then
  if expired ~= nil then
    return health("Healthy", expired.message)
  end
  return health("Healthy", ready.message)
end
if ready.reason == "Creating" or isRetrying(ready.reason) then
  return health("Progressing", ready.message)
end
return health("Degraded", ready.message)

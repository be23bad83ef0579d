-- Argo CD health of a DynamoRestore (dynamobackup.io/v1alpha1), from the status the operator writes.
--
--   state                                                        health       message
--   metadata.deletionTimestamp set, and
--     Deleting=True waiting for the restore, or retrying         Progressing  the condition's
--     Deleting=True otherwise (AccessDenied, deletion protection) Degraded    the condition's
--     otherwise                                                  Progressing  "deleting"
--   no status yet                                                Progressing  waiting for the operator
--   status.observedGeneration behind metadata.generation         Progressing  waiting for the operator
--   Ready=True (table ACTIVE, every table setting in place)      Healthy      Ready's
--   Ready=False, reason Restoring, BackupNotAvailable or         Progressing  Ready's
--     ApplyingTableSettings (the restore or a setting under way)
--   Ready=False, reason TableMissing (deleted outside)           Missing      Ready's
--   Ready=False, reason <Setting>Failed (TimeToLiveFailed, ...): Progressing  Ready's (names the next retry)
--     every failing setting's reason retried
--   Ready=False, reason a retryable or throttled AWS error       Progressing  Ready's (names the next retry)
--   Ready=False, any other reason (InvalidSpec, NotPermitted,    Degraded     Ready's
--     TableAlreadyExists, TableNotFound, InvalidRestoreTime,
--     PointInTimeRecoveryUnavailable, a setting's AccessDenied
--     or SettingConflict, ...)
--   no Ready condition yet                                       Progressing  waiting for the operator
--
-- PointInTimeRecoveryUnavailable and InvalidRestoreTime are Degraded although the operator looks again once a
-- minute: the first needs someone to enable recovery on the source, the second a time inside the window.
-- Reasons are AWS error codes without "Exception"; the retrying ones are listed here as in AwsFailure.

local retrying = {
  BackupInUse = true, TableInUse = true, ResourceInUse = true, InternalServerError = true,
  ServiceUnavailable = true, ExpiredToken = true, RequestTimeout = true,
  LimitExceeded = true, Throttling = true, RequestLimitExceeded = true, TooManyRequests = true,
  ProvisionedThroughputExceeded = true,
  NoAnswer = true, QuotaWait = true, LookupIncomplete = true, AccountUnknown = true,
  ContinuousBackupsUnavailable = true
}

local underWay = { Restoring = true, BackupNotAvailable = true, ApplyingTableSettings = true }

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

local function health(status, message)
  return { status = status, message = message or "" }
end

-- Whether every failing table setting is one the operator retries soon.
local function settingsRetrying()
  local settings = obj.status.tableSettings
  if settings == nil then
    return false
  end
  local failing = false
  for _, setting in pairs(settings) do
    if setting.state == "Failed" then
      failing = true
      if not isRetrying(setting.reason) then
        return false
      end
    end
  end
  return failing
end

if obj.metadata.deletionTimestamp ~= nil then
  local deleting = condition("Deleting")
  if deleting ~= nil and deleting.status == "True" then
    if deleting.reason == "RestoreInProgress" or deleting.reason == "WaitingForRestore"
        or isRetrying(deleting.reason) then
      return health("Progressing", deleting.message)
    end
    return health("Degraded", deleting.message)
  end
  return health("Progressing", "deleting")
end

if obj.status == nil then
  return health("Progressing", "waiting for the operator")
end

local generation = obj.metadata.generation
if generation ~= nil and (obj.status.observedGeneration == nil or obj.status.observedGeneration < generation) then
  return health("Progressing", "waiting for the operator to observe generation " .. generation)
end

local ready = condition("Ready")
if ready == nil then
  return health("Progressing", "waiting for the operator")
end
if ready.status == "True" then
  return health("Healthy", ready.message)
end
if underWay[ready.reason] or isRetrying(ready.reason) then
  return health("Progressing", ready.message)
end
if ready.reason == "TableMissing" then
  return health("Missing", ready.message)
end
if string.match(ready.reason or "", "Failed$") ~= nil and settingsRetrying() then
  return health("Progressing", ready.message)
end
return health("Degraded", ready.message)

-- Argo CD health of a DynamoBackupSchedule (dynamobackup.io/v1alpha1), from the status the operator writes.
--
--   state                                                      health       message
--   no status yet                                              Progressing  waiting for the operator
--   status.observedGeneration behind metadata.generation       Progressing  waiting for the operator
--   Ready=False (InvalidSchedule: cron, time zone, retention)  Degraded     Ready's
--   status.children.notReady > 0 (a backup of it is failing)   Degraded     how many, and where to look
--   spec.suspend true (Ready reason Suspended)                 Suspended    Ready's
--   Ready=True (Scheduled)                                     Healthy      Ready's: next run, missed runs
--   no Ready condition yet                                     Progressing  waiting for the operator
--
-- The schedule has no condition of its own for a failed run; its failed runs are the children counted as notReady
-- (Ready=False for a reason other than Creating). Argo CD does not add the children's health to the app's, so the
-- schedule carries it. notReady also counts a child waiting to retry a throttled call, which its own health shows
-- as Progressing; the count is refreshed about once a minute. A failing child outweighs suspension: the failure
-- still needs someone to look.

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
if ready.status ~= "True" then
  return health("Degraded", ready.message)
end

local children = obj.status.children
if children ~= nil and children.notReady ~= nil and children.notReady > 0 then
  return health("Degraded", "not ready: " .. children.notReady .. " of " .. (children.total or 0)
    .. " DynamoBackups of this schedule (see their Ready conditions)")
end

if ready.reason == "Suspended" or (obj.spec ~= nil and obj.spec.suspend == true) then
  return health("Suspended", ready.message)
end
return health("Healthy", ready.message)

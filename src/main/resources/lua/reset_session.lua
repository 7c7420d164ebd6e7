-- Forgets a session (history, active agent, memory, answered ids) unless a turn of it is running:
-- deleting under a running turn would let that turn's commit bring half of it back. The fencing
-- counter stays, so a turn whose lease expired before the reset can never commit after it.
-- KEYS: 1 history, 2 state, 3 lease. Returns 1 when reset, 0 when a turn holds the lease.
if redis.call('EXISTS', KEYS[3]) == 1 then
  return 0
end
local fence = redis.call('HGET', KEYS[2], 'fence')
local ttl = redis.call('PTTL', KEYS[2])
redis.call('DEL', KEYS[1], KEYS[2])
if fence then
  redis.call('HSET', KEYS[2], 'fence', fence)
  if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
end
return 1

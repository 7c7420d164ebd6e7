-- Forgets a session (history, active agent, memory, answered ids) unless a turn of it is running:
-- deleting under a running turn would let that turn's commit bring half of it back.
-- KEYS: 1 history, 2 state, 3 lease. Returns 1 when reset, 0 when a turn holds the lease.
if redis.call('EXISTS', KEYS[3]) == 1 then
  return 0
end
redis.call('DEL', KEYS[1], KEYS[2])
return 1

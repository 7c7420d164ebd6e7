-- Gives the lease back after a turn that failed, so the next message need not wait for it to expire.
-- Nothing else is written: a failed turn leaves no trace in history.
-- KEYS: 1 lease; ARGV: 1 lease value
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0

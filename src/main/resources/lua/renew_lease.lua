-- Extends a lease still held by its owner, for turns that outlast the lease ttl.
-- KEYS: 1 lease; ARGV: 1 lease value, 2 ttl ms
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0

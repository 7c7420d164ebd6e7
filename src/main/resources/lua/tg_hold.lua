-- Takes a lease (the poller's, or one update's webhook claim) when free, renews it when ours.
-- KEYS: 1 the lease. ARGV: 1 owner, 2 ttl ms. Returns 1 when ARGV[1] holds it afterwards.
local cur = redis.call('GET', KEYS[1])
if not cur then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
if cur == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0

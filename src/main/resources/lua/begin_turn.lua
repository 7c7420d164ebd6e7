-- Round trip 1 of a turn: answer a resend from the stored reply, or take the lease and read
-- the session's state and history window.
-- KEYS: 1 history, 2 state, 3 lease (one hash tag, so Cluster keeps them on one slot)
-- ARGV: 1 owner (replica id~incarnation), 2 lease ttl ms, 3 window size, 4 client message id or '',
--       5 history ttl ms, 6 the lease of a dead owner this call may take over, or ''
if ARGV[4] ~= '' then
  local stored = redis.call('HGET', KEYS[2], 'r:' .. ARGV[4])
  if stored then
    return {'answered', stored}
  end
end
local holder = redis.call('GET', KEYS[3])
-- A lease whose owner the caller found dead (its liveness key expired) is taken over; the fence
-- below grows past the dead turn's, so a late commit of that turn is refused.
if holder and holder ~= ARGV[6] then
  return {'busy', holder, tostring(redis.call('PTTL', KEYS[3]))}
end
-- The fencing token: every turn gets a larger one; commit writes only while it is still the newest.
local fence = redis.call('HINCRBY', KEYS[2], 'fence', 1)
redis.call('SET', KEYS[3], ARGV[1] .. '#' .. fence, 'PX', ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
local st = redis.call('HMGET', KEYS[2], 'agent', 'stack', 'memory')
local window = {}
local n = tonumber(ARGV[3])
if n > 0 then
  window = redis.call('LRANGE', KEYS[1], -n, -1)
end
return {'ok', tostring(fence), st[1] or '', st[2] or '', st[3] or '', window}

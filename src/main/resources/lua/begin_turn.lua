-- Round trip 1 of a turn: answer a resend from the stored reply, or take the lease and read
-- the session's state and history window.
-- A session out of budget gets {'budget', ms until the window ends, which budget} and nothing changes.
-- KEYS: 1 history, 2 state, 3 lease (one hash tag, so Cluster keeps them on one slot),
--       4.. the session's budgets (its own, then its groups'; see budget_lib.lua)
-- ARGV: 1 owner (replica id~incarnation), 2 lease ttl ms, 3 window size, 4 client message id or '',
--       5 history ttl ms, 6 the lease of a dead owner this call may take over, or '',
--       7 how many budgets, then per budget: tokens, window ms
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
local st = redis.call('HMGET', KEYS[2], 'agent', 'stack', 'memory', 'last', 'rsv', 'rsvw')
local nb = tonumber(ARGV[7] or '0') or 0
if nb > 0 then
  local now = now_ms()
  local tokensAt, perAt = function(i) return 6 + 2 * i end, function(i) return 7 + 2 * i end
  if st[5] then
    -- a reservation still in the state hash is a turn that never ended (its replica died): it comes off
    settle_turn(tonumber(st[5]) or 0, st[6], nb, 4, tokensAt, perAt, now, 0)
    redis.call('HDEL', KEYS[2], 'rsv', 'rsvw')
  end
  local windows, current = {}, {}
  for i = 1, nb do
    local per = tonumber(ARGV[perAt(i)])
    local w = math.floor(now / per)
    local spent, rsv
    spent, rsv, current[i] = budget_read(KEYS[3 + i], w)
    if spent + rsv >= tonumber(ARGV[tokensAt(i)]) then
      return {'budget', string.format('%d', (w + 1) * per - now), tostring(i)}
    end
    windows[i] = string.format('%d', w)
  end
  -- Admitted: reserve what the session's last turn cost in every budget, so that concurrent turns
  -- of a group see each other's likely spend; the commit settles it against the real figure.
  local reserve = tonumber(st[4] or '0') or 0
  if reserve > 0 then
    for i = 1, nb do
      local key, per = KEYS[3 + i], tonumber(ARGV[perAt(i)])
      if current[i] then
        redis.call('HINCRBY', key, 'rsv', reserve)
      else
        redis.call('HSET', key, 'w', windows[i], 'spent', 0, 'rsv', reserve)
        redis.call('PEXPIREAT', key, string.format('%d', (tonumber(windows[i]) + 1) * per + 1000))
      end
    end
    redis.call('HSET', KEYS[2], 'rsv', reserve, 'rsvw', table.concat(windows, ' '))
  end
end
-- The fencing token: every turn gets a larger one; commit writes only while it is still the newest.
local fence = redis.call('HINCRBY', KEYS[2], 'fence', 1)
redis.call('SET', KEYS[3], ARGV[1] .. '#' .. fence, 'PX', ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
local window = {}
local n = tonumber(ARGV[3])
if n > 0 then
  window = redis.call('LRANGE', KEYS[1], -n, -1)
end
return {'ok', tostring(fence), st[1] or '', st[2] or '', st[3] or '', window}

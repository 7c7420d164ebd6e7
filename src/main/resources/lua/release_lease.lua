-- Gives the lease back after a turn that failed, so the next message need not wait for it to expire.
-- Nothing of the turn is stored, but what its completions cost was spent: it goes on the session's
-- totals and budgets, and the turn's reservation comes off (only while the lease is still this turn's).
-- KEYS: 1 lease, 2 state, 3.. the session's budgets (as begin_turn)
-- ARGV: 1 lease value, 2 input tokens, 3 output tokens, 4 how many budgets, then per budget: tokens, window ms
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
local input, output = tonumber(ARGV[2]), tonumber(ARGV[3])
if input + output > 0 then
  redis.call('HINCRBY', KEYS[2], 'tin', input)
  redis.call('HINCRBY', KEYS[2], 'tout', output)
  redis.call('HSET', KEYS[2], 'last', input + output) -- what the next turn reserves
end
local held = redis.call('HMGET', KEYS[2], 'rsv', 'rsvw')
local nb = tonumber(ARGV[4])
if nb > 0 then
  settle_turn(tonumber(held[1]) or 0, held[2], nb, 3, function(i) return 3 + 2 * i end, function(i) return 4 + 2 * i end,
    now_ms(), input + output)
end
if held[1] then
  redis.call('HDEL', KEYS[2], 'rsv', 'rsvw')
end
return redis.call('DEL', KEYS[1])

-- Round trip 2 of a turn: append its messages, trim, store the reply for resends, save the
-- session state, refresh TTLs and release the lease, all or nothing.
-- The turn's token usage goes on the session's totals and on its budgets (settling the reservation
-- begin_turn made). Returns 0 when the lease was lost, else {1} or, with budgets,
-- {1, tokens left in the tightest budget, ms until its window ends}.
-- KEYS: 1 history, 2 state, 3 lease, 4.. the session's budgets (as begin_turn)
-- ARGV: 1 fence, 2 lease value, 3 history ttl ms, 4 max history, 5 client message id or '',
--       6 reply json, 7 agent, 8 stack json, 9 memory json, 10 answered ids kept,
--       11 max history bytes, 12 input tokens, 13 output tokens, 14 how many budgets,
--       then per budget: tokens, window ms; then the messages
local st = redis.call('HMGET', KEYS[2], 'fence', 'hbytes', 'tin', 'tout', 'rsv', 'rsvw', 'rids', 'ridn')
if st[1] ~= ARGV[1] then
  -- A newer turn took the session after our lease expired: writing now would interleave.
  return 0
end
-- The history's size in bytes is kept in the state hash, so the byte cap costs no read of the list;
-- a session stored before the cap existed is measured once.
local bytes = tonumber(st[2] or '')
if not bytes then
  bytes = 0
  for _, e in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do bytes = bytes + #e end
end
local nb = tonumber(ARGV[14])
local first = 15 + 2 * nb
if #ARGV >= first then
  redis.call('RPUSH', KEYS[1], unpack(ARGV, first))
  for i = first, #ARGV do bytes = bytes + #ARGV[i] end
end
-- Oldest first, until both bounds hold: at most ARGV[4] messages and ARGV[11] bytes; this turn's
-- own messages stay even when they alone are larger (the answer just given is always in history).
local n = redis.call('LLEN', KEYS[1])
local maxn, maxb = tonumber(ARGV[4]), tonumber(ARGV[11])
local keep = math.max(#ARGV - first + 1, 0)
while n > keep and (n > maxn or bytes > maxb) do
  bytes = bytes - #redis.call('LPOP', KEYS[1])
  n = n - 1
end
local input, output = tonumber(ARGV[12]), tonumber(ARGV[13])
redis.call('HSET', KEYS[2], 'hbytes', bytes, 'agent', ARGV[7], 'stack', ARGV[8], 'memory', ARGV[9], 'last', input + output,
  'tin', (tonumber(st[3]) or 0) + input, 'tout', (tonumber(st[4]) or 0) + output)
if st[5] then
  redis.call('HDEL', KEYS[2], 'rsv', 'rsvw')
end
if ARGV[5] ~= '' then
  redis.call('HSET', KEYS[2], 'r:' .. ARGV[5], ARGV[6])
  -- rids: the remembered ids, oldest first, one space apart; ridn: how many. The oldest are cut with
  -- C string functions: splitting rids into a Lua table, joining it again and counting it on every
  -- turn took half of this script's time at 64 ids.
  local ids, count = st[7], tonumber(st[8])
  if ids and ids ~= '' then
    if not count then -- a session stored before ridn was kept: counted once
      local _, spaces = string.gsub(ids, ' ', ' ')
      count = spaces + 1
    end
    ids, count = ids .. ' ' .. ARGV[5], count + 1
  else
    ids, count = ARGV[5], 1
  end
  for _ = 1, count - tonumber(ARGV[10]) do
    local cut = string.find(ids, ' ', 1, true)
    redis.call('HDEL', KEYS[2], 'r:' .. (cut and string.sub(ids, 1, cut - 1) or ids))
    ids, count = cut and string.sub(ids, cut + 1) or '', count - 1
  end
  redis.call('HSET', KEYS[2], 'rids', ids, 'ridn', count)
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
if redis.call('GET', KEYS[3]) == ARGV[2] then
  redis.call('DEL', KEYS[3])
end
if nb == 0 then
  return {1}
end
local left, reset = settle_turn(tonumber(st[5]) or 0, st[6], nb, 4, function(i) return 13 + 2 * i end,
  function(i) return 14 + 2 * i end, now_ms(), input + output)
return {1, string.format('%d', left), string.format('%d', reset)}

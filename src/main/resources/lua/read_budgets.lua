-- A session's spend and what is left of each of its budgets, on Redis's clock.
-- KEYS: 1 state, 2.. the session's budgets (as begin_turn)
-- ARGV: 1 how many budgets, then per budget: tokens, window ms
-- Returns {input total, output total, then per budget: spent, reserved, ms until the window ends}
local t = redis.call('HMGET', KEYS[1], 'tin', 'tout')
local out = {t[1] or '0', t[2] or '0'}
local now = now_ms()
for i = 1, tonumber(ARGV[1]) do
  local per = tonumber(ARGV[1 + 2 * i])
  local w = math.floor(now / per)
  local spent, rsv = budget_read(KEYS[1 + i], w)
  out[#out + 1] = string.format('%d', spent)
  out[#out + 1] = string.format('%d', rsv)
  out[#out + 1] = string.format('%d', (w + 1) * per - now)
end
return out

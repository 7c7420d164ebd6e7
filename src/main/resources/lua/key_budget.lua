-- A gateway key's tokens per minute and per day.
-- KEYS: 1 the minute budget, 2 the day budget (one hash tag per key)
-- ARGV: 1 'admit' or 'spend', 2 tokens per minute (0: none), 3 tokens per day (0: none),
--       4 input tokens, 5 output tokens (spend only)
-- admit: {0} when the key may go on, else {ms until the tighter exhausted window ends}
-- spend: adds the tokens to both windows; returns {0}
local now = now_ms()
local limits = {{KEYS[1], tonumber(ARGV[2]), 60000}, {KEYS[2], tonumber(ARGV[3]), 86400000}}
if ARGV[1] == 'admit' then
  local wait = 0
  for _, l in ipairs(limits) do
    if l[2] > 0 then
      local w = math.floor(now / l[3])
      local spent = budget_read(l[1], w)
      if spent >= l[2] then
        wait = math.max(wait, (w + 1) * l[3] - now)
      end
    end
  end
  return {string.format('%d', wait)}
end
for _, l in ipairs(limits) do
  if l[2] > 0 then
    budget_add(l[1], math.floor(now / l[3]), l[3], tonumber(ARGV[4]) + tonumber(ARGV[5]), 0)
  end
end
return {'0'}

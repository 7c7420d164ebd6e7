-- Token budgets, shared by the scripts that use them (prepended by LuaScript.load). A budget is one
-- HASH: w (its window: now / per, on Redis's clock), spent, rsv (reserved by turns running now).
-- A hash of an earlier window counts as empty; it expires a second after its window's end.
-- Every function costs one read of the budget's hash and at most two writes: this runs twice a turn.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- spent and reserved in window w, and whether the hash is of window w (else it counts as empty)
local function budget_read(key, w)
  local h = redis.call('HMGET', key, 'w', 'spent', 'rsv')
  if tonumber(h[1]) ~= w then
    return 0, 0, false
  end
  return tonumber(h[2]) or 0, tonumber(h[3]) or 0, true
end

-- adds to a budget's window w (starting it over when the hash is of an earlier window); returns spent
local function budget_add(key, w, per, spent, reserved)
  if tonumber(redis.call('HGET', key, 'w')) ~= w then
    redis.call('HSET', key, 'w', string.format('%d', w), 'spent', math.max(0, spent), 'rsv', math.max(0, reserved))
    redis.call('PEXPIREAT', key, string.format('%d', (w + 1) * per + 1000))
    return math.max(0, spent)
  end
  if reserved ~= 0 then
    if redis.call('HINCRBY', key, 'rsv', reserved) < 0 then
      redis.call('HSET', key, 'rsv', 0)
    end
  end
  if spent ~= 0 then
    return redis.call('HINCRBY', key, 'spent', spent)
  end
  return tonumber(redis.call('HGET', key, 'spent')) or 0
end

-- Settles a turn: its reservation (`reserved` tokens, made in the windows `windows`, a space-separated
-- list as the state hash's rsvw holds it) comes off, what it spent goes on the current windows.
-- budgets: KEYS[firstKey + i - 1], tokens ARGV[tokensAt(i)], window ms ARGV[perAt(i)], i = 1..n.
-- Returns the tightest budget after it: tokens left, ms until its window ends.
local function settle_turn(reserved, windows, n, firstKey, tokensAt, perAt, now, spent)
  local made = {}
  for w in string.gmatch(windows or '', '%S+') do made[#made + 1] = tonumber(w) end
  local best, reset
  for i = 1, n do
    local per = tonumber(ARGV[perAt(i)])
    local w = math.floor(now / per)
    local total = budget_add(KEYS[firstKey + i - 1], w, per, spent, made[i] == w and -reserved or 0)
    local left = math.max(0, tonumber(ARGV[tokensAt(i)]) - total)
    if not best or left < best then
      best, reset = left, (w + 1) * per - now
    end
  end
  return best, reset
end

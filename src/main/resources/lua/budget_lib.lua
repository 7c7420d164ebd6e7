-- Token budgets, shared by the scripts that use them (prepended by LuaScript.load). A budget is one
-- HASH: w (its window: now / per, on Redis's clock), spent, rsv (reserved by turns running now).
-- A hash of an earlier window counts as empty; it expires a second after its window's end.
-- Every function costs one read of the budget's hash and at most two writes: this runs twice a turn.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- spent and reserved in window w
local function budget_read(key, w)
  local h = redis.call('HMGET', key, 'w', 'spent', 'rsv')
  if tonumber(h[1]) ~= w then
    return 0, 0
  end
  return tonumber(h[2]) or 0, tonumber(h[3]) or 0
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

-- Settles the turn whose reservation the session's state hash holds (fields rsv, rsvw), if any: the
-- reservation comes off the window it was made in, the spend goes on the current window.
-- budgets: KEYS[firstKey + i - 1], tokens ARGV[tokensAt(i)], window ms ARGV[perAt(i)], i = 1..n.
-- Returns the tightest budget after it: tokens left, ms until its window ends.
local function settle_turn(state, n, firstKey, tokensAt, perAt, now, spent)
  local held = redis.call('HMGET', state, 'rsv', 'rsvw')
  local reserved = tonumber(held[1]) or 0
  local windows = {}
  for w in string.gmatch(held[2] or '', '%S+') do windows[#windows + 1] = tonumber(w) end
  local best, reset
  for i = 1, n do
    local per = tonumber(ARGV[perAt(i)])
    local w = math.floor(now / per)
    local key = KEYS[firstKey + i - 1]
    local total
    if windows[i] == w then
      total = budget_add(key, w, per, spent, -reserved)
    else
      total = budget_add(key, w, per, spent, 0)
    end
    local left = math.max(0, tonumber(ARGV[tokensAt(i)]) - total)
    if not best or left < best then
      best, reset = left, (w + 1) * per - now
    end
  end
  if held[1] then
    redis.call('HDEL', state, 'rsv', 'rsvw')
  end
  return best, reset
end

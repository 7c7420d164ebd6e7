-- Token budgets, shared by the scripts that use them (prepended by LuaScript.load). A budget is one
-- HASH: w (its window: now / per, on Redis's clock), spent, rsv (reserved by turns running now),
-- in, out. A hash of an earlier window counts as empty; it expires at its window's end.
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

-- moves the hash to window w (from zero), expiring a second after the window's end
local function budget_touch(key, w, per)
  if tonumber(redis.call('HGET', key, 'w')) ~= w then
    redis.call('HSET', key, 'w', string.format('%d', w), 'spent', 0, 'rsv', 0, 'in', 0, 'out', 0)
    redis.call('PEXPIREAT', key, string.format('%d', (w + 1) * per + 1000))
  end
end

-- a turn ends: its reservation (made in window rw) comes off, what it spent goes on the current window
local function budget_settle(key, per, now, rw, reserved, input, output)
  local w = math.floor(now / per)
  if rw == w and reserved > 0 then
    local rsv = tonumber(redis.call('HGET', key, 'rsv')) or 0
    redis.call('HSET', key, 'rsv', math.max(0, rsv - reserved))
  end
  if input + output > 0 then
    budget_touch(key, w, per)
    redis.call('HINCRBY', key, 'spent', input + output)
    redis.call('HINCRBY', key, 'in', input)
    redis.call('HINCRBY', key, 'out', output)
  end
end

-- Settles the turn whose reservation the session's state hash holds (fields rsv, rsvw), if any.
-- budgets: KEYS[first + i - 1] with per ms ARGV[perAt(i)], i = 1..n
local function settle_turn(state, n, firstKey, perAt, now, input, output)
  local held = redis.call('HMGET', state, 'rsv', 'rsvw')
  local reserved = tonumber(held[1]) or 0
  local windows = {}
  for w in string.gmatch(held[2] or '', '%S+') do windows[#windows + 1] = tonumber(w) end
  for i = 1, n do
    budget_settle(KEYS[firstKey + i - 1], tonumber(ARGV[perAt(i)]), now, windows[i], reserved, input, output)
  end
  if held[1] then
    redis.call('HDEL', state, 'rsv', 'rsvw')
  end
end

-- The budget with the fewest tokens left: {left, ms until its window ends}, or nil with none.
local function least_left(n, firstKey, tokensAt, perAt, now)
  local best, reset
  for i = 1, n do
    local tokens, per = tonumber(ARGV[tokensAt(i)]), tonumber(ARGV[perAt(i)])
    local w = math.floor(now / per)
    local spent, rsv = budget_read(KEYS[firstKey + i - 1], w)
    local left = math.max(0, tokens - spent)
    if not best or left < best then
      best, reset = left, (w + 1) * per - now
    end
  end
  return best, reset
end

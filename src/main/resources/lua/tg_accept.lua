-- The Telegram front end took updates from getUpdates: record them as pending and move the offset
-- past them, in one step, so a crash between the two can neither lose nor repeat an update.
-- KEYS: 1 pending (hash update_id -> update JSON), 2 offset
-- ARGV: 1 next offset, then pairs of update_id, update JSON
for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
local cur = tonumber(redis.call('GET', KEYS[2]) or '0')
if tonumber(ARGV[1]) > cur then redis.call('SET', KEYS[2], ARGV[1]) end
return 1

-- wrk script: each thread replays its own file of pre-signed requests (bench/make_requests.py),
-- one request per line, so every request is new to the service.
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  prefix = args[1]
  lines = io.lines(prefix .. "-" .. id .. ".txt")
end

function request()
  local line = lines()
  if line == nil then
    -- Out of fresh requests: start over (these are duplicates; size --count to avoid it).
    lines = io.lines(prefix .. "-" .. id .. ".txt")
    line = lines()
  end
  return (line:gsub("\\r", "\r"):gsub("\\n", "\n"))
end

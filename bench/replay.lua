-- wrk script: each thread replays its own file of pre-signed requests (bench/make_requests.py),
-- one request per line, so every request is new to the service. The file is read and unescaped
-- up front: wrk shares the service's cores, so the per-request work here is an array lookup.
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  requests = {}
  for line in io.lines(args[1] .. "-" .. id .. ".txt") do
    requests[#requests + 1] = line:gsub("\\r", "\r"):gsub("\\n", "\n")
  end
  next_request = 0
end

function request()
  -- Past the last one it starts over: those are duplicates (size --count to avoid it).
  next_request = next_request % #requests + 1
  return requests[next_request]
end

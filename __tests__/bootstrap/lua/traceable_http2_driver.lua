-- Runs bootstrap/files/lua/traceable_http2.lua outside Suricata: the Suricata functions it calls are played by
-- this driver, the feed is the real traceable_feed.lua (file mode, TRACEABLE_FEED_* from the environment).
--   luajit traceable_http2_driver.lua SCRIPT CLIENT_BYTES SERVER_BYTES
-- Flows: 1, an HTTP/1.1 connection (no Upgrade) in 3 chunks per direction; 2, the recorded h2c connection in
-- 1000-byte chunks, the server's first; 3, the same connection picked up after its first chunk (no open flag);
-- 4, the recorded connection cut after 60% of the server's bytes, then closed; 5, the recorded connection with a
-- hole of 1000 server bytes at 40% (Suricata's gap mark, SCFlowHasAlerts, set from the chunk after it), then closed.
-- Prints what the script asked of
-- Suricata as JSON: {"buffer_calls": {flow: n}, "chunks": {flow: n}, "notices": [...]}.
local script, ts_file, tc_file = arg[1], arg[2], arg[3]
local function slurp(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

local current -- the chunk Suricata is handing over: {flow, data, open, close, toserver, gap}
local buffer_calls, chunks, notices = {}, {}, {}
function SCFlowId() return current.flow * 1000003 end
function SCFlowTuple() return 4, "10.0.0." .. current.flow, "10.0.1.1", 6, 40000 + current.flow, 8081 end
function SCFlowAppLayerProto() return current.flow == 1 and "http" or "http2" end
function SCFlowHasAlerts() return current.gap == true end
function SCFlowTimestamps() return 1796000000, 1796000100 + current.flow, 0, 250000 end
function SCStreamingBuffer()
  buffer_calls[current.flow] = (buffer_calls[current.flow] or 0) + 1
  return current.data, current.open, current.close, current.toserver, not current.toserver
end
function SCLogNotice(msg) notices[#notices + 1] = msg end
function SCLogWarning(msg) notices[#notices + 1] = msg end

dofile(script)
init()
setup()

local gap_seen = {} -- flow -> the gap mark is set (it stays, as Suricata's flow flag does)
local function hand(flow, data, open, close, toserver)
  current = { flow = flow, data = data, open = open, close = close, toserver = toserver, gap = gap_seen[flow] }
  chunks[flow] = (chunks[flow] or 0) + 1
  log({})
end

--- Both directions of a connection in chunks of `size`, the server's first, each direction opened once.
local function replay(flow, ts, tc, size, skip_open)
  local pos, opened = { ts = 1, tc = 1 }, { ts = skip_open, tc = skip_open }
  local data = { ts = ts, tc = tc }
  while pos.ts <= #ts or pos.tc <= #tc do
    for _, dir in ipairs({ "tc", "ts" }) do
      if pos[dir] <= #data[dir] then
        hand(flow, data[dir]:sub(pos[dir], pos[dir] + size - 1), not opened[dir], false, dir == "ts")
        opened[dir] = true
        pos[dir] = pos[dir] + size
      end
    end
  end
end

local request = "GET /api/items HTTP/1.1\r\nHost: shop.test\r\nUser-Agent: curl/8\r\nAccept: */*\r\n\r\n"
local response = "HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n" .. string.rep("x", 2000)
replay(1, request, response, 700)

local ts, tc = slurp(ts_file), slurp(tc_file)
replay(2, ts, tc, 1000)
replay(3, ts:sub(1001), tc:sub(1001), 1000, true)
replay(4, ts, tc:sub(1, math.floor(#tc * 0.6)), 1000)
hand(4, nil, false, true, true)
local hole = math.floor(#tc * 0.4)
replay(5, ts, tc:sub(1, hole), 1000)
gap_seen[5] = true
replay(5, "", tc:sub(hole + 1001), 1000, true)
hand(5, nil, false, true, true)
deinit()

local function counts(t)
  local parts = {}
  for k, v in pairs(t) do parts[#parts + 1] = string.format('"%d":%d', k, v) end
  return "{" .. table.concat(parts, ",") .. "}"
end
local quoted = {}
for i, n in ipairs(notices) do quoted[i] = string.format("%q", n):gsub("\\\n", "\\n") end
print(string.format('{"buffer_calls":%s,"chunks":%s,"notices":[%s]}', counts(buffer_calls), counts(chunks),
  table.concat(quoted, ",")))

-- Suricata 7.0 Lua output: one eve-shaped "http" event per HTTP/2 cleartext (h2c) stream, request and response
-- with all headers and the bodies, sent through the feed (traceable_feed.lua) like traceable_http.lua's HTTP/1
-- events. Suricata 7.0 calls no Lua transaction logger for HTTP/2 and its eve http2 records carry no bodies, so
-- this is a streaming logger on the reassembled TCP data of every flow: connections that start with the HTTP/2
-- preface (prior knowledge) or with an HTTP/1.1 request asking for `Upgrade: h2c` are parsed by traceable_h2.lua
-- (frames, HPACK); every other flow is dropped at its first chunk and costs one table lookup per chunk after.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = dir .. "?.lua;" .. package.path
local feed = require("traceable_feed")
local h2 = require("traceable_h2")

local format, date, tonumber, lower, time = string.format, os.date, tonumber, string.lower, os.time
local byte, find, sub = string.byte, string.find, string.sub

-- An idle connection is forgotten after this long (Suricata's own TCP flow timeouts are shorter, so a live
-- flow is never cut). The ignore list only spares the parser; a flow forgotten from it while still alive comes
-- back without the open flag and is ignored again.
local IDLE_CONNECTION = 3600
local IDLE_IGNORED = 120
local SWEEP_EVERY = 30
-- Application protocols Suricata may have recognised that can never be h2c.
local NOT_H2C = { tls = true, ssh = true, smtp = true, ftp = true, dns = true, smb = true, krb5 = true,
  dcerpc = true, nfs = true, rdp = true, rfb = true, mqtt = true, pgsql = true, imap = true, sip = true }
local MAX_WARNINGS = 20

local connections, ignored, last_sweep, warnings

function init()
  return { type = "streaming", filter = "tcp" }
end

function setup()
  feed.setup()
  connections, ignored, last_sweep, warnings = {}, {}, time(), 0
end

local function warn(msg)
  warnings = warnings + 1
  if warnings <= MAX_WARNINGS then
    SCLogNotice("traceable_http2: " .. msg .. (warnings == MAX_WARNINGS and " (no more of these are logged)" or ""))
  end
end

local function header(list, wanted)
  for i = 1, #list do
    if lower(list[i].name) == wanted then return list[i].value end
  end
  return nil
end

local function header_list(list)
  local out = feed.array()
  for i = 1, #list do out[i] = { name = list[i].name, value = list[i].value } end
  return out
end

local function emit(c, s)
  if #s.request_headers == 0 then return end -- nothing of the request was seen (e.g. a gap ate it)
  local authority = s.authority or ""
  local host, port = authority:match("^%[?([^%]]*)%]?:(%d+)$")
  local content_type = header(s.response_headers, "content-type")
  local http = {
    hostname = host or (authority ~= "" and authority or nil),
    http_port = tonumber(port),
    url = s.path,
    http_method = s.method,
    http_user_agent = header(s.request_headers, "user-agent"),
    http_refer = header(s.request_headers, "referer"),
    http_content_type = content_type and content_type:match("^[^;]*"),
    redirect = header(s.response_headers, "location"),
    protocol = "HTTP/2",
    version = "2",
    status = s.status,
    length = s.response_body_length,
    request_headers = header_list(s.request_headers),
    response_headers = header_list(s.response_headers),
    http2 = { stream_id = s.id, upgraded = s.upgraded or nil, complete = s.complete, reset_code = s.reset },
  }
  if feed.body_limit() > 0 then
    -- A body with a hole: the bytes before it, and the mark traceable_http.lua puts on HTTP/1 bodies.
    if #s.request_body > 0 then
      http.http_request_body_printable = feed.printable(s.request_body, not s.request_gap and s.request_body_length or nil)
    end
    http.http_request_body_gap = s.request_gap
    if #s.response_body > 0 then
      http.http_response_body_printable = feed.printable(s.response_body, not s.response_gap and s.response_body_length or nil)
    end
    http.http_response_body_gap = s.response_gap
  end
  -- After a hole the true length is unknown: content-length says it, if there is one.
  if s.response_gap then http.length = tonumber(header(s.response_headers, "content-length") or "") end
  feed.emit({
    timestamp = date("!%Y-%m-%dT%H:%M:%S", c.last_sec) .. format(".%06d+0000", c.last_usec),
    flow_id = c.flow_id,
    event_type = "http",
    src_ip = c.src_ip,
    src_port = c.src_port,
    dest_ip = c.dest_ip,
    dest_port = c.dest_port,
    proto = c.proto,
    http = http,
  })
end

-- Whether data holds "h2c" in any case, by plain finds of its "2"s: a Lua pattern ("[hH]2[cC]") is tried at every
-- position and cost more than the rest of the flow's chunks together (about 18,000 instructions per request).
local function mentions_h2c(data)
  local at = find(data, "2", 2, true)
  while at do
    local before, after = byte(data, at - 1), byte(data, at + 1)
    if (before == 104 or before == 72) and (after == 99 or after == 67) then return true end
    at = find(data, "2", at + 1, true)
  end
  return false
end

-- The first chunk of a flow, cheaply: could this be the start of an h2c connection? The client's preface or an
-- HTTP/1.1 request that mentions h2c (a head not complete in this chunk gets the benefit of the doubt); the
-- server's first frame (SETTINGS) or its 101 answer to an Upgrade.
local function may_be_h2c(data, toserver)
  if toserver then
    return sub(data, 1, 4) == "PRI " or mentions_h2c(data) or not find(data, "\r\n\r\n", 1, true)
  end
  return byte(data, 4) == 4 or sub(data, 1, 13) == "HTTP/1.1 101 "
end

local function new_connection(fid)
  local _, src_ip, dst_ip, proto, sp, dp = SCFlowTuple()
  local c = { flow_id = fid, src_ip = src_ip, src_port = sp, dest_ip = dst_ip, dest_port = dp,
    proto = proto == 6 and "TCP" or tostring(proto), last_sec = time(), last_usec = 0 }
  c.parser = h2.new_connection({ body_limit = feed.body_limit(), on_stream = function(s) emit(c, s) end })
  return c
end

local function forget(fid, c)
  connections[fid] = nil
  c.parser:finish() -- streams still open go out as they are (complete = false)
end

local function sweep(now)
  last_sweep = now
  for fid, c in pairs(connections) do
    if now - c.seen > IDLE_CONNECTION then forget(fid, c) end
  end
  for fid, seen in pairs(ignored) do
    if now - seen > IDLE_IGNORED then ignored[fid] = nil end
  end
end

function log()
  local fid = SCFlowId()
  -- Not even SCStreamingBuffer() (it would copy the chunk into Lua) nor the clock: the entry goes IDLE_IGNORED
  -- after the flow was ignored; a flow still alive then comes back without the open flag and is ignored again.
  if ignored[fid] then return end
  local now = time()
  if now - last_sweep >= SWEEP_EVERY then sweep(now) end
  local data, open, close, toserver = SCStreamingBuffer()
  local c = connections[fid]
  if c == nil then
    -- Only a connection seen from its first byte can be decoded (HPACK state starts with the connection).
    if not open or data == nil or not may_be_h2c(data, toserver) or NOT_H2C[SCFlowAppLayerProto()] then
      ignored[fid] = now
      return
    end
    c = new_connection(fid)
    connections[fid] = c
  end
  c.seen = now
  if data ~= nil and #data > 0 then
    -- The streaming API says nothing of gaps; traceable_gaps.rules raises an alert on Suricata's reassembly-gap event,
    -- on the packet whose processing crosses the hole, before this chunk (of the data after it) is logged. The
    -- flag stays set: the first hole is seen, later ones are not (Suricata 7.0 stops parsing the flow at a gap).
    if not c.gap and SCFlowHasAlerts() then
      c.gap = true
      c.parser:gap()
    end
    -- The time of the flow's latest packet, for the events this chunk completes.
    local _, last_sec, _, last_usec = SCFlowTimestamps()
    c.last_sec, c.last_usec = tonumber(last_sec) or now, tonumber(last_usec) or 0
    local called, ok, err = pcall(c.parser.feed, c.parser, toserver and "ts" or "tc", data)
    if not called then ok, err = nil, "parser error: " .. tostring(ok) end
    if not ok then
      -- Not HTTP/2 (the common case: any other TCP protocol), or an HTTP/2 connection that broke (e.g. a gap).
      if c.parser.identified then
        warn(format("flow %d %s:%d -> %s:%d: %s; its open streams are %s", fid, c.src_ip, c.src_port,
          c.dest_ip, c.dest_port, err, c.gap and "sent up to the gap" or "dropped"))
      end
      -- After a known gap the open streams' bodies are cut at it: they go out with what came before the hole.
      if c.gap then pcall(c.parser.finish, c.parser) end
      connections[fid] = nil
      ignored[fid] = now
      return
    end
  end
  if close then forget(fid, c) end
end

function deinit()
  for fid, c in pairs(connections) do pcall(forget, fid, c) end
  feed.deinit()
end

-- HTTP/2 (RFC 9113) frame parser and HPACK (RFC 7541) decoder for reassembled TCP payload, one connection at a
-- time: prior-knowledge h2c (the client sends the connection preface first) and the HTTP/1.1 `Upgrade: h2c` path
-- (the upgraded request becomes stream 1). Pure Lua 5.1 with no Suricata calls, so luajit can test it alone;
-- traceable_http2.lua feeds it from Suricata's streaming output.
--
--   local h2 = require("traceable_h2")
--   local conn = h2.new_connection({ body_limit = 65536, on_stream = function(stream) ... end })
--   local ok, err = conn:feed("ts" | "tc", data)   -- "ts": client to server, "tc": server to client
--   conn:finish()                                  -- hands over the streams still open (stream.complete false)
--
-- A stream handed to on_stream: id, method, path, authority, scheme, status, request_headers and response_headers
-- (arrays of {name=, value=}, in wire order; response trailers follow the response headers), request_body and
-- response_body (at most body_limit bytes), request_body_length and response_body_length (the true lengths),
-- upgraded (stream 1 of an Upgrade), reset (the RST_STREAM error code, if any), complete (false also when a body
-- disagrees with its content-length: length_mismatch), request_gap and response_gap (the body had a hole: it is
-- cut there, and its true length is unknown).
-- conn.identified turns true once the client has shown it speaks HTTP/2.
-- conn:gap() says that the bytes fed next come after a hole in the TCP data (Suricata's streaming loggers are not
-- told; the caller learns it otherwise).
local M = {}

local byte, char, sub, find, lower, concat = string.byte, string.char, string.sub, string.find, string.lower, table.concat
local floor = math.floor

M.PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

-- Limits that keep one connection's state bounded whatever the traffic.
local MAX_HEADER_BLOCK = 1024 * 1024   -- bytes of one header block (HEADERS + CONTINUATION)
local MAX_HTTP1_HEAD = 64 * 1024       -- bytes of the HTTP/1.1 request or 101 response head on the Upgrade path
local MAX_OPEN_STREAMS = 256           -- streams open at once (servers commonly allow 100 to 250)
local MAX_TABLE_SIZE = 1024 * 1024     -- largest dynamic table size update accepted

-------------------------------------------------------------------------------- HPACK

-- RFC 7541 Appendix A.
local STATIC = {
  { ":authority", "" }, { ":method", "GET" }, { ":method", "POST" }, { ":path", "/" }, { ":path", "/index.html" },
  { ":scheme", "http" }, { ":scheme", "https" }, { ":status", "200" }, { ":status", "204" }, { ":status", "206" },
  { ":status", "304" }, { ":status", "400" }, { ":status", "404" }, { ":status", "500" }, { "accept-charset", "" },
  { "accept-encoding", "gzip, deflate" }, { "accept-language", "" }, { "accept-ranges", "" }, { "accept", "" },
  { "access-control-allow-origin", "" }, { "age", "" }, { "allow", "" }, { "authorization", "" },
  { "cache-control", "" }, { "content-disposition", "" }, { "content-encoding", "" }, { "content-language", "" },
  { "content-length", "" }, { "content-location", "" }, { "content-range", "" }, { "content-type", "" },
  { "cookie", "" }, { "date", "" }, { "etag", "" }, { "expect", "" }, { "expires", "" }, { "from", "" },
  { "host", "" }, { "if-match", "" }, { "if-modified-since", "" }, { "if-none-match", "" }, { "if-range", "" },
  { "if-unmodified-since", "" }, { "last-modified", "" }, { "link", "" }, { "location", "" },
  { "max-forwards", "" }, { "proxy-authenticate", "" }, { "proxy-authorization", "" }, { "range", "" },
  { "referer", "" }, { "refresh", "" }, { "retry-after", "" }, { "server", "" }, { "set-cookie", "" },
  { "strict-transport-security", "" }, { "transfer-encoding", "" }, { "user-agent", "" }, { "vary", "" },
  { "via", "" }, { "www-authenticate", "" },
}

-- RFC 7541 Appendix B. The code is canonical (codes of one length are consecutive, in symbol order, and follow
-- the shorter ones), so the length of each symbol's code gives the whole table: letter a is 5 bits ... z is 30,
-- symbols 0..255 then EOS (256).
local HUFFMAN_LENGTHS = "isxxxxxxxtzxxzxxxxxxxxzxxxxxxxxxbffhibdgffdgdbbbaaabbbbbbbcdkbhf"
  .. "ibccccccccccccccccccccccdcdioijbkabababbbaccbbbabcbaabccccckgjix"
  .. "prpprrrsrssssststtrstssssqrsrsstrqprrssqsrrtqrssqqrqsrssprrrsrrs"
  .. "vvporsruvvvwwvtuoqvwwvwtqqvvxwwwptpqrqqsrruuttvsvwvvwwwwwxwwwwwv"
  .. "z"

-- The code as a binary tree over flat arrays: ZERO[node] / ONE[node] are the children, SYMBOL[node] the leaf's
-- symbol. BITS[b * 8 + i] is bit i (0 = most significant) of byte b, so no bit library is needed.
local ZERO, ONE, SYMBOL, BITS = { 0 }, { 0 }, {}, {}
do
  local order = {}
  for sym = 0, 256 do order[sym + 1] = sym end
  local function length(sym) return byte(HUFFMAN_LENGTHS, sym + 1) - 92 end -- "a" (97) is 5
  table.sort(order, function(x, y)
    if length(x) ~= length(y) then return length(x) < length(y) end
    return x < y
  end)
  local nodes, code, previous = 1, -1, length(order[1])
  for _, sym in ipairs(order) do
    local len = length(sym)
    code = (code + 1) * 2 ^ (len - previous)
    previous = len
    local node = 1
    for i = len - 1, 0, -1 do
      local branch = (floor(code / 2 ^ i) % 2 == 1) and ONE or ZERO
      local nxt = branch[node]
      if not nxt or nxt == 0 then
        nodes = nodes + 1
        ZERO[nodes], ONE[nodes] = 0, 0
        branch[node] = nodes
        nxt = nodes
      end
      node = nxt
    end
    SYMBOL[node] = sym
  end
  for b = 0, 255 do
    for i = 0, 7 do BITS[b * 8 + i] = floor(b / 2 ^ (7 - i)) % 2 end
  end
end

function M.huffman_decode(s)
  local out, n = {}, 0
  local node, pad_bits, pad_ones = 1, 0, true
  for p = 1, #s do
    local base = byte(s, p) * 8
    for i = 0, 7 do
      local bit = BITS[base + i]
      node = (bit == 1) and ONE[node] or ZERO[node]
      pad_bits = pad_bits + 1
      if bit == 0 then pad_ones = false end
      local sym = SYMBOL[node]
      if sym then
        if sym == 256 then return nil, "huffman: EOS in string" end
        n = n + 1
        out[n] = char(sym)
        node, pad_bits, pad_ones = 1, 0, true
      end
    end
  end
  -- What is left must be a prefix of EOS (all ones) shorter than a byte (RFC 7541 section 5.2).
  if pad_bits > 7 or not pad_ones then return nil, "huffman: bad padding" end
  return concat(out)
end

-- Integer with an N-bit prefix at position p (RFC 7541 section 5.1). Returns value, next position.
local function read_int(s, p, prefix_bits)
  local b = byte(s, p)
  if not b then return nil, "hpack: truncated integer" end
  local max = 2 ^ prefix_bits - 1
  local value = b % (max + 1)
  p = p + 1
  if value < max then return value, p end
  local shift = 1
  repeat
    b = byte(s, p)
    if not b then return nil, "hpack: truncated integer" end
    p = p + 1
    value = value + (b % 128) * shift
    shift = shift * 128
    if value > 2 ^ 31 then return nil, "hpack: integer overflow" end
  until b < 128
  return value, p
end

local function read_string(s, p)
  local b = byte(s, p)
  if not b then return nil, "hpack: truncated string" end
  local len, q = read_int(s, p, 7)
  if not len then return nil, q end
  if q + len - 1 > #s then return nil, "hpack: truncated string" end
  local raw = sub(s, q, q + len - 1)
  if b >= 128 then
    local decoded, err = M.huffman_decode(raw)
    if not decoded then return nil, err end
    raw = decoded
  end
  return raw, q + len
end

local Decoder = {}
Decoder.__index = Decoder

--- A decoder keeps the dynamic table of one direction of one connection.
function M.new_decoder(max_size)
  return setmetatable({ entries = {}, size = 0, max_size = max_size or 4096 }, Decoder)
end

function Decoder:evict()
  local entries = self.entries
  while self.size > self.max_size and #entries > 0 do
    local e = table.remove(entries)
    self.size = self.size - (#e[1] + #e[2] + 32)
  end
end

function Decoder:add(name, value)
  table.insert(self.entries, 1, { name, value })
  self.size = self.size + #name + #value + 32
  self:evict()
end

function Decoder:entry(index)
  if index >= 1 and index <= #STATIC then return STATIC[index] end
  local e = self.entries[index - #STATIC]
  if index < 1 or not e then return nil end
  return e
end

--- Decodes one complete header block into an array of {name=, value=}; nil, error when it is malformed.
function Decoder:decode(block)
  local headers, n, p, len = {}, 0, 1, #block
  local seen_field = false
  while p <= len do
    local b = byte(block, p)
    local name, value, err
    if b >= 128 then -- indexed header field
      local index
      index, p = read_int(block, p, 7)
      if not index then return nil, p end
      local e = self:entry(index)
      if not e then return nil, "hpack: bad index " .. index end
      name, value = e[1], e[2]
    elseif b >= 32 and b < 64 then -- dynamic table size update, only before the first field
      local size
      size, p = read_int(block, p, 5)
      if not size then return nil, p end
      if seen_field then return nil, "hpack: table size update after a header field" end
      if size > MAX_TABLE_SIZE then return nil, "hpack: table size " .. size .. " too large" end
      self.max_size = size
      self:evict()
    else -- literal: with incremental indexing (01), without indexing (0000), never indexed (0001)
      local indexing = b >= 64
      local index
      index, p = read_int(block, p, indexing and 6 or 4)
      if not index then return nil, p end
      if index == 0 then
        name, p = read_string(block, p)
        if not name then return nil, p end
      else
        local e = self:entry(index)
        if not e then return nil, "hpack: bad index " .. index end
        name = e[1]
      end
      value, err = read_string(block, p)
      if not value then return nil, err end
      p = err
      if indexing then self:add(name, value) end
    end
    if name then
      seen_field = true
      n = n + 1
      headers[n] = { name = name, value = value }
    end
  end
  return headers
end

-------------------------------------------------------------------------------- frames

local DATA, HEADERS, PRIORITY, RST_STREAM, SETTINGS, PUSH_PROMISE, GOAWAY, CONTINUATION = 0, 1, 2, 3, 4, 5, 7, 9
local END_STREAM, END_HEADERS, PADDED, PRIORITY_FLAG = 1, 4, 8, 32

local function u32(s, p)
  local a, b, c, d = byte(s, p, p + 3)
  return ((a % 128) * 16777216) + b * 65536 + c * 256 + d -- the top bit is reserved
end

local function has(flags, f) return floor(flags / f) % 2 == 1 end

local Connection = {}
Connection.__index = Connection

function M.new_connection(opts)
  opts = opts or {}
  local c = setmetatable({
    body_limit = opts.body_limit or 65536,
    on_stream = opts.on_stream or function() end,
    streams = {},
    open = 0,
    closed = {},        -- ids handed over lately: frames still in flight for them are not a new stream
    closed_order = {},
    dropped_streams = 0,
  }, Connection)
  -- Per direction: what is expected next, unparsed bytes, HPACK table, largest frame the receiver accepts, and a
  -- header block being collected across CONTINUATION frames.
  c.dir = {
    ts = { state = "start", buf = "", hpack = M.new_decoder(), max_frame = 16384, resets = {} },
    tc = { state = "start", buf = "", hpack = M.new_decoder(), max_frame = 16384, resets = {} },
  }
  return c
end

local function header_value(headers, name)
  for i = 1, #headers do
    if headers[i].name == name then return headers[i].value end
  end
end
M.header_value = header_value

local MAX_CLOSED_REMEMBERED = 1024

function Connection:stream(id)
  local s = self.streams[id]
  if s then return s end
  if self.closed[id] then return nil end
  if self.open >= MAX_OPEN_STREAMS then
    self.dropped_streams = self.dropped_streams + 1
    return nil
  end
  s = {
    id = id, request_headers = {}, response_headers = {}, request_parts = {}, response_parts = {},
    request_body_length = 0, response_body_length = 0, request_done = false, response_done = false,
    after_gap = self.after_gap,
  }
  self.streams[id] = s
  self.open = self.open + 1
  return s
end

local function body_text(parts) return concat(parts) end

--- The bytes fed from now on come after a hole in the connection's TCP data, in a direction not known. Each body still
--- being received is cut where it stands: its bytes after the hole would be shifted, or come from other frames. A
--- stream opened later may rest on a header block or table update lost in the hole, and a later hole goes unseen.
function Connection:gap()
  self.after_gap = true
  for _, s in pairs(self.streams) do
    if not s.request_done and not s.request_hole then s.request_hole = s.request_body_length end
    if not s.response_done and not s.response_hole then s.response_hole = s.response_body_length end
  end
end

-- One direction's body as handed over: cut at its hole, if it had one (a stream opened after a gap: any body).
local function body_before_hole(s, which)
  local text = body_text(s[which .. "_parts"])
  local hole = s[which .. "_hole"]
  if hole == nil and s.after_gap and s[which .. "_body_length"] > 0 then hole = 0 end
  if hole == nil then return text end
  s[which .. "_gap"] = true
  return sub(text, 1, hole)
end

function Connection:hand_over(s, complete)
  self.streams[s.id] = nil
  self.open = self.open - 1
  local order = self.closed_order
  order[#order + 1] = s.id
  self.closed[s.id] = true
  if #order > MAX_CLOSED_REMEMBERED then self.closed[table.remove(order, 1)] = nil end
  s.request_body = body_before_hole(s, "request")
  s.response_body = body_before_hole(s, "response")
  s.request_parts, s.response_parts = nil, nil
  s.complete = complete and not (s.after_gap or s.request_gap or s.response_gap)
  s.method = s.method or header_value(s.request_headers, ":method")
  s.path = s.path or header_value(s.request_headers, ":path")
  s.authority = s.authority or header_value(s.request_headers, ":authority") or header_value(s.request_headers, "host")
  s.scheme = s.scheme or header_value(s.request_headers, ":scheme")
  if s.status == nil then s.status = tonumber(header_value(s.response_headers, ":status") or "") end
  -- Suricata does not tell its streaming loggers about gaps in the TCP data; a gap that swallowed whole frames
  -- leaves the framing intact, so a body that disagrees with its content-length is not called complete.
  local request_length = tonumber(header_value(s.request_headers, "content-length") or "")
  local response_length = tonumber(header_value(s.response_headers, "content-length") or "")
  local bodiless = s.method == "HEAD" or s.status == 204 or s.status == 304
  if (request_length and request_length ~= s.request_body_length)
      or (response_length and not bodiless and response_length ~= s.response_body_length) then
    s.complete = false
    s.length_mismatch = true
  end
  self.on_stream(s)
end

function Connection:maybe_done(s)
  if s.request_done and s.response_done then self:hand_over(s, not s.reset) end
end

local function append_body(s, which, payload, limit)
  local total = s[which .. "_body_length"]
  local stored = math.min(total, limit)
  if stored < limit and #payload > 0 then
    local parts = s[which .. "_parts"]
    parts[#parts + 1] = sub(payload, 1, limit - stored)
  end
  s[which .. "_body_length"] = total + #payload
end

function Connection:header_block(d, dirname, stream_id, block, end_stream, promised_id)
  local headers, err = d.hpack:decode(block)
  if not headers then return nil, err end
  if promised_id then -- PUSH_PROMISE: the promised stream's request comes from the server
    local s = self:stream(promised_id)
    if s then s.request_headers, s.request_done, s.pushed = headers, true, true end
    return true
  end
  if dirname == "ts" and stream_id > (d.last_stream or 0) then
    -- Clients open their streams in order (1, 3, 5, ...): a skipped id means a request header block was lost
    -- in a gap, and with it updates to the dynamic table that later blocks rely on.
    if d.last_stream and stream_id ~= d.last_stream + 2 then
      return nil, "stream " .. stream_id .. " opened after stream " .. d.last_stream .. " (a header block was lost)"
    end
    d.last_stream = stream_id
  end
  local s = self:stream(stream_id)
  if not s then return true end
  if dirname == "ts" then
    s.ts_headers = true
    local list = s.request_headers
    for i = 1, #headers do list[#list + 1] = headers[i] end
    if end_stream then s.request_done = true end
  else
    local status = tonumber(header_value(headers, ":status") or "")
    if status and status >= 100 and status < 200 then return true end -- informational (100-continue): not the response
    s.tc_headers = true
    if status then s.status = status end
    local list = s.response_headers
    for i = 1, #headers do list[#list + 1] = headers[i] end
    if end_stream then s.response_done = true end
  end
  self:maybe_done(s)
  return true
end

-- One frame: type, flags, stream id and payload (without the 9-byte header).
function Connection:frame(d, dirname, ftype, flags, sid, payload)
  if d.block then -- only CONTINUATION of the same stream may follow an unfinished header block
    if ftype ~= CONTINUATION or sid ~= d.block.sid then return nil, "frame inside a header block" end
    d.block.parts[#d.block.parts + 1] = payload
    d.block.size = d.block.size + #payload
    if d.block.size > MAX_HEADER_BLOCK then return nil, "header block too large" end
    if has(flags, END_HEADERS) then
      local b = d.block
      d.block = nil
      return self:header_block(d, dirname, b.sid, concat(b.parts), b.end_stream, b.promised)
    end
    return true
  end
  if ftype == CONTINUATION then return nil, "CONTINUATION without a header block" end
  local p, stop = 1, #payload
  if (ftype == DATA or ftype == HEADERS or ftype == PUSH_PROMISE) and has(flags, PADDED) then
    local pad = byte(payload, 1) or 0
    p, stop = 2, #payload - pad
    if stop < p - 1 then return nil, "padding longer than the frame" end
  end
  if ftype == DATA then
    if sid == 0 then return nil, "DATA on stream 0" end
    local s = self:stream(sid)
    if s and not s[dirname .. "_headers"] then
      return nil, "DATA before any header block on stream " .. sid .. " (the header block was lost)"
    end
    if s then
      local which = dirname == "ts" and "request" or "response"
      append_body(s, which, sub(payload, p, stop), self.body_limit)
      if has(flags, END_STREAM) then
        s[which .. "_done"] = true
        self:maybe_done(s)
      end
    end
  elseif ftype == HEADERS or ftype == PUSH_PROMISE then
    if sid == 0 then return nil, "header block on stream 0" end
    local promised
    if ftype == PUSH_PROMISE then
      if stop - p + 1 < 4 then return nil, "short PUSH_PROMISE" end
      promised = u32(payload, p)
      p = p + 4
    elseif has(flags, PRIORITY_FLAG) then
      p = p + 5
    end
    if p > stop + 1 then return nil, "short HEADERS" end
    local fragment = sub(payload, p, stop)
    local end_stream = ftype == HEADERS and has(flags, END_STREAM)
    if has(flags, END_HEADERS) then
      return self:header_block(d, dirname, sid, fragment, end_stream, promised)
    end
    d.block = { sid = sid, parts = { fragment }, size = #fragment, end_stream = end_stream, promised = promised }
  elseif ftype == RST_STREAM then
    -- Suricata hands each direction over on its own, so the peer's frames sent before the reset may still be
    -- on their way: the stream is handed over after the other direction's next chunk (or at finish).
    if sid == 0 or #payload ~= 4 then return nil, "malformed RST_STREAM" end
    local s = self:stream(sid)
    if s and not s.reset then
      s.reset = u32(payload, 1)
      local other = self.dir[dirname == "ts" and "tc" or "ts"]
      other.resets[#other.resets + 1] = s
    end
  elseif ftype == SETTINGS then
    if sid ~= 0 or #payload % 6 ~= 0 then return nil, "malformed SETTINGS" end
    if not has(flags, 1) then
      -- SETTINGS_MAX_FRAME_SIZE: the sender accepts frames up to this size from its peer.
      local peer = self.dir[dirname == "ts" and "tc" or "ts"]
      for q = 1, #payload, 6 do
        local id = byte(payload, q) * 256 + byte(payload, q + 1)
        if id == 5 then peer.max_frame = u32(payload, q + 2) end
      end
    end
  elseif ftype == GOAWAY or ftype == PRIORITY then
    -- nothing to record; unknown frame types are ignored as RFC 9113 section 4.1 requires
  end
  return true
end

-- The HTTP/1.1 request that asks for `Upgrade: h2c`: becomes stream 1 (RFC 7540 section 3.2).
function Connection:http1_request(d)
  local head_end = find(d.buf, "\r\n\r\n", 1, true)
  if not head_end then
    if #d.buf > MAX_HTTP1_HEAD then return nil, "HTTP/1.1 request head too large" end
    return false
  end
  local head = sub(d.buf, 1, head_end - 1)
  local method, target = head:match("^(%u+) (%S+) HTTP/1%.1\r?\n?")
  if not method then return nil, "not an HTTP/1.1 request" end
  local headers, upgrade, length, chunked = {}, false, 0, false
  for line in head:gmatch("\r\n([^\r\n]*)") do
    local name, value = line:match("^([^:]+):[ \t]*(.-)[ \t]*$")
    if name then
      headers[#headers + 1] = { name = name, value = value }
      local lname = lower(name)
      if lname == "upgrade" and find(lower(value), "h2c", 1, true) then upgrade = true end
      if lname == "content-length" then length = tonumber(value) or 0 end
      if lname == "transfer-encoding" and find(lower(value), "chunked", 1, true) then chunked = true end
    end
  end
  if not upgrade then return nil, "no Upgrade: h2c" end
  local body, rest = "", head_end + 4
  if chunked then
    local parts, p = {}, rest
    while true do
      local line_end = find(d.buf, "\r\n", p, true)
      if not line_end then return false end
      local size = tonumber(sub(d.buf, p, line_end - 1):match("^%x+") or "", 16)
      if not size then return nil, "bad chunk size" end
      if size == 0 then
        local trailer_end = find(d.buf, "\r\n\r\n", line_end, true)
        if not trailer_end then return false end
        rest = trailer_end + 4
        break
      end
      if #d.buf < line_end + 2 + size + 1 then return false end
      parts[#parts + 1] = sub(d.buf, line_end + 2, line_end + 1 + size)
      p = line_end + 2 + size + 2
    end
    body = concat(parts)
  else
    if #d.buf < rest - 1 + length then return false end
    body = sub(d.buf, rest, rest + length - 1)
    rest = rest + length
  end
  local s = self:stream(1)
  s.upgraded, s.method, s.path = true, method, target
  s.authority, s.scheme = header_value(headers, "Host") or header_value(headers, "host"), "http"
  s.request_headers, s.ts_headers, d.last_stream = headers, true, 1
  append_body(s, "request", body, self.body_limit)
  s.request_done = true
  d.buf = sub(d.buf, rest)
  d.state = "preface"
  self:maybe_done(s)
  return true
end

-- The server's answer to the Upgrade: anything but 101 means the connection stays HTTP/1.1.
function Connection:http1_response(d)
  local head_end = find(d.buf, "\r\n\r\n", 1, true)
  if not head_end then
    if #d.buf > MAX_HTTP1_HEAD then return nil, "HTTP/1.1 response head too large" end
    return false
  end
  if not d.buf:match("^HTTP/1%.1 101[ \r]") then return nil, "upgrade refused: " .. (d.buf:match("^[^\r\n]*") or "") end
  d.buf = sub(d.buf, head_end + 4)
  d.state = "frames"
  return true
end

--- Feeds the next bytes of one direction. Returns true, or nil and a reason once the direction cannot be parsed
--- (not HTTP/2, a protocol error, or a gap that broke framing); after that the connection should be dropped.
function Connection:feed(dirname, data)
  local d = self.dir[dirname]
  if d.state == "failed" then return nil, d.err end
  d.buf = d.buf .. data
  local ok, err = self:parse(d, dirname)
  self:hand_over_resets(d)
  if ok == nil then
    d.state, d.err, d.buf = "failed", err, ""
    return nil, err
  end
  return true
end

function Connection:hand_over_resets(d)
  local resets = d.resets
  if #resets == 0 then return end
  d.resets = {}
  for _, s in ipairs(resets) do
    if self.streams[s.id] == s then self:hand_over(s, false) end
  end
end

function Connection:parse(d, dirname)
  while true do
    local buf = d.buf
    if d.state == "start" then
      if dirname == "ts" then
        local n = math.min(#buf, #M.PREFACE)
        if sub(buf, 1, n) == sub(M.PREFACE, 1, n) then
          if n < #M.PREFACE then return true end
          d.state = "preface"
        elseif buf:match("^%u+ ") or #buf < 8 and buf:match("^%u*$") then
          d.state = "http1"
        else
          return nil, "not HTTP/2"
        end
      else
        if #buf < 9 then return true end
        d.state = sub(buf, 1, 5) == "HTTP/" and "http1" or "frames"
      end
    elseif d.state == "http1" then
      local ok, err
      if dirname == "ts" then ok, err = self:http1_request(d) else ok, err = self:http1_response(d) end
      if ok == nil then return nil, err end
      if not ok then return true end
    elseif d.state == "preface" then
      self.identified = true -- the client speaks HTTP/2 (prior knowledge, or after its Upgrade request)
      if #buf < #M.PREFACE then return true end
      if sub(buf, 1, #M.PREFACE) ~= M.PREFACE then return nil, "no HTTP/2 connection preface" end
      d.buf = sub(buf, #M.PREFACE + 1)
      d.state = "frames"
    else -- frames
      local pos, len = 1, #buf
      while len - pos + 1 >= 9 do
        local a, b, c, ftype, flags = byte(buf, pos, pos + 4)
        local flen = a * 65536 + b * 256 + c
        if flen > d.max_frame then return nil, "frame of " .. flen .. " bytes exceeds " .. d.max_frame end
        if len - pos + 1 < 9 + flen then break end
        local sid = u32(buf, pos + 5)
        local ok, err = self:frame(d, dirname, ftype, flags, sid, sub(buf, pos + 9, pos + 8 + flen))
        if not ok then return nil, err end
        pos = pos + 9 + flen
      end
      d.buf = sub(buf, pos)
      return true
    end
  end
end

--- Hands over every stream still open (complete = false), e.g. when the flow ends.
function Connection:finish()
  self.dir.ts.resets, self.dir.tc.resets = {}, {}
  local ids = {}
  for id in pairs(self.streams) do ids[#ids + 1] = id end
  table.sort(ids)
  for _, id in ipairs(ids) do self:hand_over(self.streams[id], false) end
end

return M

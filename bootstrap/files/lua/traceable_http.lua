-- Suricata 7.0 Lua output: one eve-shaped "http" event per HTTP/1 transaction, with the request and response
-- bodies in the fields Traceable's fork adds (http_request_body_printable, http_response_body_printable), sent
-- through the feed (traceable_feed.lua). Suricata calls log() once per transaction, when both sides are
-- complete; bodies are de-chunked, and gzip/deflate responses decompressed, by libhtp.
--
-- Where Suricata 7.0's HTTP parser (libhtp 0.5) gets a keep-alive connection wrong, this script puts it right:
-- - A response that has no body by its status (1xx, 204, 304) or by its request (HEAD) but carries
--   Content-Length or Transfer-Encoding: libhtp reads that many bytes (or, when they end inside a response, the
--   rest of the connection) of the following responses as its body, and their transactions get no response.
--   That "body" is parsed here into the responses it holds, which go to the following transactions in order
--   (the responses libhtp still gives those transactions queue up behind them).
-- - An interim response (1xx but 101, e.g. 103 Early Hints) that libhtp takes for the final one: the final
--   response comes as a transaction without a request (/libhtp::request_uri_not_seen); the two are joined.
-- - The headers of a 100 Continue that libhtp keeps in front of the final response's headers are left out.
-- Responses that cannot be recovered (beyond libhtp's response-body-limit, or compressed by libhtp) are counted
-- in the feed's http_responses_lost; recovered ones in http_responses_recovered.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = dir .. "?.lua;" .. package.path
local feed = require("traceable_feed")

local date, tonumber, time = os.date, tonumber, os.time
local find, sub, byte, lower, match = string.find, string.sub, string.byte, string.lower, string.match
local new_table = require("table.new")
local put_raw, put_string, put_slice, put_number, put_count, put_printable = feed.put_raw, feed.put_string,
    feed.put_slice, feed.put_number, feed.put_count, feed.put_printable

-- libhtp's response-body-limit in suricata.yaml: a swallowed stream is kept up to this many bytes.
local RESPONSE_BODY_LIMIT = 131072
local ORPHAN_URI = "/libhtp::request_uri_not_seen"
-- Per-flow state (only for connections where libhtp went wrong) is forgotten after this long without a
-- transaction; swept at most every SWEEP_EVERY seconds.
local IDLE_FLOW, SWEEP_EVERY = 3600, 60

local flows, flow_count, last_sweep = {}, 0, 0

function init()
  return { protocol = "http" }
end

function setup()
  feed.setup()
  last_sweep = time()
end

-- Headers in wire order, duplicates kept, from a raw header block ("Name: value" lines, CRLF or LF): the block and
-- the positions of each header's name and value in it (h[4i-3], h[4i-2]: name; h[4i-1], h[4i]: value), so that the
-- event is written from the block itself without a string per header.
local function headers_of(raw)
  -- Room for 8 headers and the two fields from the start: growing the table step by step cost more than filling it.
  local h, n = new_table(32, 2), 0
  raw = raw or ""
  h.raw = raw
  local pos, size = 1, #raw
  while pos <= size do
    local eol = find(raw, "\n", pos, true) or size + 1
    local stop = eol - 1
    if stop >= pos and byte(raw, stop) == 13 then stop = stop - 1 end
    local colon = find(raw, ":", pos, true)
    if colon and colon > pos and colon <= stop then
      local v, e = colon + 1, stop
      while v <= e and (byte(raw, v) == 32 or byte(raw, v) == 9) do v = v + 1 end
      while e >= v and (byte(raw, e) == 32 or byte(raw, e) == 9) do e = e - 1 end
      local k = 4 * n
      h[k + 1], h[k + 2], h[k + 3], h[k + 4] = pos, colon - 1, v, e
      n = n + 1
    end
    pos = eol + 1
  end
  h.n = n
  return h
end

-- The value of the first header named `wanted` (lower case).
local function header(h, wanted)
  local raw, size = h.raw, #wanted
  for k = 0, 4 * h.n - 1, 4 do
    local from, to = h[k + 1], h[k + 2]
    if to - from + 1 == size and lower(sub(raw, from, to)) == wanted then return sub(raw, h[k + 3], h[k + 4]) end
  end
  return nil
end

-- libhtp keeps an interim response's headers and the final response's status line in front of the final
-- response's headers in the raw block ("X-Interim: a\r\n\r\nHTTP/1.1 200 OK\r\nServer: ..."): the final ones
-- are those after the last status line.
local function final_headers(raw)
  if raw == nil then return nil end
  local last, at = nil, find(raw, "\nHTTP/", 1, true)
  while at do
    last = at
    at = find(raw, "\nHTTP/", at + 1, true)
  end
  if last == nil then return raw end
  local eol = find(raw, "\n", last + 1, true)
  return eol and sub(raw, eol + 1) or ""
end

-- Bytes of a body Suricata keeps at most (libhtp's request-body-limit and response-body-limit in suricata.yaml).
local KEPT_AT_MOST = 131072

-- The body Suricata kept, at most `cap` bytes (chunks are joined only up to it), its size, and whether it had a hole.
-- A hole (a segment lost or cut before Suricata: a reassembly gap) is skipped by libhtp, which joins what follows, so
-- the bytes after it would be shifted. Every hole starts a new chunk, so the first chunk is whole: when fewer bytes
-- were kept than the body's known length (expected: Content-Length of an unencoded body) and than Suricata keeps at
-- most, only the first chunk is returned, with true.
local function body(get, cap, expected)
  local chunks = get()
  if type(chunks) ~= "table" or chunks[1] == nil then return nil, 0 end
  if expected ~= nil then
    local kept = 0
    for i = 1, #chunks do kept = kept + #chunks[i] end
    if kept < expected and kept < KEPT_AT_MOST then
      if #chunks[1] == 0 then return nil, 0, true end
      return sub(chunks[1], 1, cap), math.min(#chunks[1], cap), true
    end
  end
  if chunks[2] == nil then return chunks[1], #chunks[1] end
  local size, parts = 0, {}
  for i = 1, #chunks do
    parts[i] = chunks[i]
    size = size + #chunks[i]
    if size > cap then break end
  end
  if size == 0 then return nil, 0 end
  return table.concat(parts), size
end

-- Where the token (no white space, as the pattern %S+) that starts at line[from] ends. Here and in host_port,
-- byte loops instead of the Lua patterns of before, which LuaJIT does not compile (about 2,500 instructions per event).
local function token_end(line, from)
  local e = from
  while true do
    local b = byte(line, e + 1)
    if b == nil or b == 32 or (b >= 9 and b <= 13) then return e end
    e = e + 1
  end
end

-- The port of a Host value, as the pattern ":(%d+)$": the digits at its end after a colon; nil without them.
local function host_port(host)
  local e = #host
  local s = e
  while s > 0 do
    local b = byte(host, s)
    if b < 48 or b > 57 then break end
    s = s - 1
  end
  if s == e or byte(host, s) ~= 58 then return nil end
  return tonumber(sub(host, s + 1, e))
end

-- The status code of a status line ("HTTP/1.1 200 OK"); find/sub/byte, which LuaJIT compiles (match it does not).
local function status_of(line)
  if line == nil then return nil end
  local at = find(line, " ", 1, true)
  if at == nil then return nil end
  while byte(line, at + 1) == 32 do at = at + 1 end
  return tonumber(sub(line, at + 1, at + 3))
end

local function is_interim(status)
  return status ~= nil and status >= 100 and status < 200 and status ~= 101
end

-- A response that has no body whatever its headers say (RFC 9110 6.3): 1xx but 101 (whose connection becomes
-- another protocol), 204, 304, or the answer to HEAD.
local function bodiless(status, method)
  return is_interim(status) or status == 204 or status == 304 or method == "HEAD"
end

-- The length an unencoded body has by its Content-Length (nil: unknown, or encoded).
local function expected_length(h)
  if header(h, "content-encoding") ~= nil then return nil end
  return tonumber(header(h, "content-length") or "")
end

-- The transaction's request, as libhtp parsed it.
local function read_request(with_body)
  local line = HttpGetRequestLine()
  local req = { line = line, uri = HttpGetRequestUriRaw(), host = HttpGetRequestHost(),
    headers = headers_of(HttpGetRawRequestHeaders()) }
  if line then
    local space = find(line, " ", 1, true)
    req.method = space and sub(line, 1, space - 1) or line
    local version = find(line, " HTTP/", 1, true)
    if version then req.protocol = sub(line, version + 1, token_end(line, version + 1)) end
  end
  if with_body then
    local _
    req.body, _, req.gap = body(HttpGetRequestBody, feed.body_limit(), expected_length(req.headers))
  end
  return req
end

-- The transaction's response, as libhtp parsed it (status nil: none).
local function read_response()
  local line = HttpGetResponseLine()
  local resp = { line = line, status = status_of(line) }
  if line then resp.headers = headers_of(final_headers(HttpGetRawResponseHeaders())) end
  return resp
end

local function libhtp_body(resp, cap)
  local b, size = body(HttpGetResponseBody, cap)
  resp.body, resp.kept = b, size
end

-- A transaction's own response body, cut at its first hole (see body). Bytes without a status line are not this
-- transaction's response (the parser lost its place in a gap): dropped, and the hole marked.
local function response_body(resp)
  if resp.status == nil then
    if body(HttpGetResponseBody, 0) then resp.gap = true end
    return
  end
  resp.body, resp.kept, resp.gap = body(HttpGetResponseBody, feed.body_limit(), expected_length(resp.headers))
end

-- De-chunks a chunked body from data[pos]; returns the body, the position after it, and whether it was whole.
local function dechunk(data, pos)
  local parts, size = {}, #data
  while true do
    local eol = find(data, "\n", pos, true)
    if not eol then return table.concat(parts), size + 1, false end
    local hex = match(sub(data, pos, eol), "^%s*(%x+)")
    local n = hex and tonumber(hex, 16)
    if n == nil then return table.concat(parts), size + 1, false end
    pos = eol + 1
    if n == 0 then
      -- trailers up to the empty line
      while true do
        local e = find(data, "\n", pos, true)
        if not e then return table.concat(parts), size + 1, false end
        local empty = e == pos or (e == pos + 1 and byte(data, pos) == 13)
        pos = e + 1
        if empty then return table.concat(parts), pos, true end
      end
    end
    parts[#parts + 1] = sub(data, pos, pos + n - 1)
    if pos + n - 1 > size then return table.concat(parts), size + 1, false end
    pos = pos + n
    local e = find(data, "\n", pos, true)
    if not e then return table.concat(parts), size + 1, false end
    pos = e + 1
  end
end

-- The responses in a stream libhtp took for a body (the following responses of the connection, as on the
-- wire). Interim responses are skipped. Returns the list and whether the stream ended at a response boundary.
local function parse_responses(data)
  local out, pos, size = {}, 1, #data
  while pos <= size do
    local eol = find(data, "\n", pos, true)
    if not eol then return out, false end
    local line = sub(data, pos, byte(data, eol - 1) == 13 and eol - 2 or eol - 1)
    local status = tonumber(match(line, "^HTTP/%d%.%d (%d%d%d)"))
    if status == nil then return out, false end
    local crlf, lf = find(data, "\n\r\n", eol, true), find(data, "\n\n", eol, true)
    local blank, start
    if crlf and (lf == nil or crlf < lf) then blank, start = crlf, crlf + 3 elseif lf then blank, start = lf, lf + 2 end
    if blank == nil then return out, false end
    local raw = sub(data, eol + 1, blank)
    local resp = { line = line, status = status, headers = headers_of(raw), recovered = true }
    pos = start
    if not is_interim(status) then
      local whole = true
      if status ~= 101 and status ~= 204 and status ~= 304 then
        local chunked = header(resp.headers, "transfer-encoding")
        local length = tonumber(header(resp.headers, "content-length") or "")
        if chunked and find(lower(chunked), "chunked", 1, true) then
          resp.body, pos, whole = dechunk(data, pos)
        elseif length then
          resp.body, resp.total = sub(data, pos, pos + length - 1), length
          whole = pos + length - 1 <= size
          pos = pos + length
        else
          resp.body = sub(data, pos) -- read until the connection closed
          pos = size + 1
        end
        if resp.body == "" then resp.body = nil end
        -- Not decompressed (libhtp does that only for the responses it parsed itself): no body rather than
        -- compressed bytes.
        if header(resp.headers, "content-encoding") then resp.body, resp.total = nil, nil end
        resp.kept = resp.body and #resp.body or 0
      end
      out[#out + 1] = resp
      if not whole then
        resp.incomplete = true
        return out, false
      end
    end
  end
  return out, true
end

-- The event's time as eve writes it ("2026-12-07T02:01:12.000980+0000"), into the event: the seconds formatted once
-- per second, the microseconds written in place.
local last_sec, sec_text = nil, nil
local function put_timestamp(sec, usec)
  if sec ~= last_sec then last_sec, sec_text = sec, date("!%Y-%m-%dT%H:%M:%S.", sec) end
  put_raw(sec_text)
  put_count(usec, 6)
  put_raw("+0000")
end

local function put_headers(h)
  local raw = h.raw
  put_raw("[")
  for k = 0, 4 * h.n - 1, 4 do
    put_raw(k == 0 and '{"name":' or ',{"name":')
    put_slice(raw, h[k + 1], h[k + 2])
    put_raw(',"value":')
    put_slice(raw, h[k + 3], h[k + 4])
    put_raw("}")
  end
  put_raw("]")
end

local function put_field(key, value)
  if value == nil then return end
  put_raw(key)
  if type(value) == "number" then put_number(value) else put_string(value) end
end

local NO_HEADERS = headers_of(nil)

-- Writes and sends one event: the request of this transaction with `resp` (status nil: no response).
local function write_event(id, req, resp)
  local tuple = req.tuple -- a request held back (see log_repaired) may go out in another flow's call
  local src_ip, dst_ip, proto, sp, dp, sec, usec
  if tuple then
    src_ip, dst_ip, proto, sp, dp, sec, usec = tuple[2], tuple[3], tuple[4], tuple[5], tuple[6], tuple.sec, tuple.usec
  else
    local _
    _, src_ip, dst_ip, proto, sp, dp = SCFlowTuple()
    sec, usec = SCPacketTimestamp()
  end
  local rh, sh = req.headers, resp.headers or NO_HEADERS
  local with_bodies = feed.body_limit() > 0
  local status = resp.status
  local protocol = req.protocol
  if protocol == nil and resp.line then protocol = match(resp.line, "^(HTTP/%S+)") end

  feed.begin_event()
  put_raw('{"timestamp":"')
  put_timestamp(sec, usec)
  put_raw('","flow_id":')
  put_number(id)
  put_raw(',"event_type":"http","src_ip":')
  put_string(src_ip)
  put_raw(',"src_port":')
  put_number(sp)
  put_raw(',"dest_ip":')
  put_string(dst_ip)
  put_raw(',"dest_port":')
  put_number(dp)
  put_raw(proto == 6 and ',"proto":"TCP","http":{' or ',"proto":"' .. tostring(proto) .. '","http":{')
  put_raw('"request_headers":')
  put_headers(rh)
  put_raw(',"response_headers":')
  put_headers(sh)
  put_field(',"hostname":', req.host)
  put_field(',"url":', req.uri)
  put_field(',"http_user_agent":', header(rh, "user-agent"))
  put_field(',"http_refer":', header(rh, "referer"))
  put_field(',"http_method":', req.method)
  put_field(',"protocol":', protocol)
  put_field(',"status":', status)
  local host = header(rh, "host")
  if host then put_field(',"http_port":', host_port(host)) end
  local content_type = header(sh, "content-type")
  -- The media type: up to the first ";" (the pattern "^[^;]*").
  if content_type then put_field(',"http_content_type":', sub(content_type, 1, (find(content_type, ";", 1, true) or 0) - 1)) end
  put_field(',"redirect":', header(sh, "location"))

  -- length: eve's response body length. Known from Content-Length (what libhtp counts for an unchunked body);
  -- for other bodies, the decoded size when Suricata kept the whole body; 0 for a response without a body.
  local response_length
  if status and bodiless(status, req.method) then
    response_length = 0
  else
    response_length = resp.total or tonumber(header(sh, "content-length") or "")
  end
  if with_bodies then
    if req.body then
      put_raw(',"http_request_body_printable":')
      put_printable(req.body, expected_length(rh))
    end
    if req.gap then put_raw(',"http_request_body_gap":true') end
    if resp.body then
      put_raw(',"http_response_body_printable":')
      put_printable(resp.body, header(sh, "content-encoding") == nil and response_length or nil)
      if response_length == nil and resp.kept < feed.body_limit() and not resp.gap then response_length = resp.kept end
    end
    if resp.gap then put_raw(',"http_response_body_gap":true') end
  end
  put_field(',"length":', response_length)
  put_raw("}}")
  feed.send_event()
end

local NO_RESPONSE = {}

-- An accepted `Upgrade: h2c` (status 101): traceable_http2.lua sends that exchange as the HTTP/2 event of stream 1
-- (RFC 7540 3.2), so it is not sent twice. A refused upgrade, or a 101 to another protocol, stays HTTP/1.
local function is_h2c_upgrade(status, req)
  if status ~= 101 then return false end
  local upgrade = header(req.headers, "upgrade")
  if upgrade == nil then return false end
  for token in upgrade:gmatch("[^,%s]+") do
    if token:lower() == "h2c" then return true end
  end
  return false
end

local function emit(id, req, resp)
  if is_h2c_upgrade(resp.status, req) then return end
  write_event(id, req, resp)
end

local function sweep(now)
  last_sweep = now
  for id, state in pairs(flows) do
    if now - state.seen > IDLE_FLOW then
      if state.held then
        feed.count("http_responses_lost")
        emit(id, state.held, NO_RESPONSE)
      end
      flows[id] = nil
      flow_count = flow_count - 1
    end
  end
end

local function flow_state(id)
  local state = flows[id]
  if state == nil then
    state = { queue = {}, first = 1, last = 0 }
    flows[id] = state
    flow_count = flow_count + 1
  end
  return state
end

-- A bodiless response that came with a "body": the responses libhtp swallowed. Returns them (possibly none),
-- counting those that cannot be recovered; the response itself loses the body.
local function swallowed(resp, state)
  libhtp_body(resp, RESPONSE_BODY_LIMIT)
  local data = resp.body
  resp.body, resp.kept = nil, 0
  -- Not a response: the server did send that many bytes of body after all (RFC 9110 forbids it); nothing was taken.
  if data == nil or (sub(data, 1, 5) ~= "HTTP/" and header(resp.headers, "content-encoding") == nil) then return nil end
  if header(resp.headers, "content-encoding") then
    -- libhtp decompressed (mangled) them: nothing to parse.
    state.losing = true
    feed.count("http_responses_lost")
    return nil
  end
  local recovered, whole = parse_responses(data)
  -- Cut inside a response (at libhtp's body limit, or where libhtp gave up on the connection): that response
  -- keeps what arrived; it counts as lost unless its body reached the feed's limit anyway. What followed it is
  -- lost too: the transactions left without a response count it.
  for i = 1, #recovered do
    local r = recovered[i]
    if r.incomplete and (r.body == nil or #r.body < feed.body_limit()) then
      feed.count("http_responses_lost")
    else
      feed.count("http_responses_recovered")
    end
  end
  if not whole or #data >= RESPONSE_BODY_LIMIT then state.losing = true end
  return recovered
end

local function push(state, resp)
  state.last = state.last + 1
  state.queue[state.last] = resp
end

local function pop(state)
  if state.first > state.last then return nil end
  local resp = state.queue[state.first]
  state.queue[state.first] = nil
  state.first = state.first + 1
  return resp
end

-- The connections where libhtp went wrong (see the top of this file).
local function log_repaired(id, req, resp)
  local state = flow_state(id)
  state.seen = time()
  if state.held then
    if req.method == nil and req.uri == ORPHAN_URI then
      -- The response of the held request (or another interim one).
      if is_interim(resp.status) then return end
      req, state.held = state.held, nil
    else
      feed.count("http_responses_lost")
      emit(id, state.held, NO_RESPONSE)
      state.held = nil
    end
  end
  if state.first > state.last and is_interim(resp.status) then
    req.tuple = { SCFlowTuple() }
    req.tuple.sec, req.tuple.usec = SCPacketTimestamp()
    state.held = req
    return
  end
  local recovered
  if resp.status and bodiless(resp.status, req.method) then
    recovered = swallowed(resp, state)
  elseif feed.body_limit() > 0 then
    response_body(resp)
  end
  if state.first <= state.last or (recovered and recovered[1]) then
    -- Responses go to transactions in order: this transaction's libhtp response (if any) joins the queue.
    if resp.status then push(state, resp) end
    for i = 1, recovered and #recovered or 0 do push(state, recovered[i]) end
    resp = pop(state) or NO_RESPONSE
  end
  if resp.status == nil and state.losing then feed.count("http_responses_lost") end
  emit(id, req, resp)
  if state.first > state.last and state.held == nil and not state.losing then
    flows[id] = nil
    flow_count = flow_count - 1
  end
end

function log()
  local id = SCFlowId()
  local resp = read_response()
  local req = read_request(feed.body_limit() > 0)
  if flows[id] ~= nil or (resp.status and bodiless(resp.status, req.method)) then
    log_repaired(id, req, resp)
  else
    if feed.body_limit() > 0 then response_body(resp) end
    emit(id, req, resp)
  end
  if flow_count > 0 then
    local now = time()
    if now - last_sweep >= SWEEP_EVERY then sweep(now) end
  end
end

function deinit()
  for id, state in pairs(flows) do
    if state.held then
      feed.count("http_responses_lost")
      pcall(emit, id, state.held, NO_RESPONSE)
    end
  end
  feed.deinit()
end

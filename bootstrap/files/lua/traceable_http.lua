-- Suricata 7.0 Lua output: one eve-shaped "http" event per HTTP/1 transaction, with the request and response
-- bodies in the fields Traceable's fork adds (http_request_body_printable, http_response_body_printable), sent
-- through the feed (traceable_feed.lua). Suricata calls log() once per transaction, when both sides are
-- complete; bodies are de-chunked, and gzip/deflate responses decompressed, by libhtp.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = dir .. "?.lua;" .. package.path
local feed = require("traceable_feed")

local format, date, tonumber, concat = string.format, os.date, tonumber, table.concat

function init()
  return { protocol = "http" }
end

function setup()
  feed.setup()
end

-- Headers in wire order, duplicates kept (eve's dump-all-headers shape: [{name, value}]), from the raw
-- header block libhtp keeps for every transaction.
local function header_list(raw)
  local list = feed.array()
  if raw == nil then return list end
  local n = 0
  for line in raw:gmatch("([^\r\n]+)") do
    local name, value = line:match("^([^:]+):[ \t]*(.-)[ \t]*$")
    if name then
      n = n + 1
      list[n] = { name = name, value = value }
    end
  end
  return list
end

local function find(list, wanted)
  wanted = wanted:lower()
  for i = 1, #list do
    if list[i].name:lower() == wanted then return list[i].value end
  end
  return nil
end

-- An accepted `Upgrade: h2c` (status 101): traceable_http2.lua sends that exchange as the HTTP/2 event of stream 1
-- (RFC 7540 3.2), so it is not sent twice. A refused upgrade, or a 101 to another protocol, stays HTTP/1.
local function is_h2c_upgrade(status, request_headers)
  if status ~= 101 then return false end
  local upgrade = find(request_headers, "Upgrade")
  if upgrade == nil then return false end
  for token in upgrade:gmatch("[^,%s]+") do
    if token:lower() == "h2c" then return true end
  end
  return false
end

-- Bytes of a body Suricata keeps at most (libhtp's request-body-limit and response-body-limit in suricata.yaml).
local KEPT_AT_MOST = 131072

-- The body Suricata kept, at most the limit (chunks are joined only up to it), and whether it had a hole. A hole (a
-- segment lost or cut before Suricata: a reassembly gap) is skipped by libhtp, which joins what follows, so the bytes
-- after it would be shifted. Every hole starts a new chunk, so the first chunk is whole: when fewer bytes were kept
-- than the body's known length (expected: Content-Length of an unencoded body) and than Suricata keeps at most, only
-- the first chunk is returned, with true.
local function body(get, expected)
  local chunks = get()
  if type(chunks) ~= "table" or #chunks == 0 then return nil end
  if expected ~= nil then
    local kept = 0
    for i = 1, #chunks do kept = kept + #chunks[i] end
    if kept < expected and kept < KEPT_AT_MOST then
      if #chunks[1] == 0 then return nil, 0, true end
      return chunks[1], #chunks[1], true
    end
  end
  local limit, size, parts = feed.body_limit(), 0, {}
  for i = 1, #chunks do
    parts[i] = chunks[i]
    size = size + #chunks[i]
    if size > limit then break end
  end
  if size == 0 then return nil end
  return concat(parts), size
end

function log()
  local ipver, src_ip, dst_ip, proto, sp, dp = SCFlowTuple()
  local sec, usec = SCPacketTimestamp()
  local req_line, resp_line = HttpGetRequestLine(), HttpGetResponseLine()
  local request_headers = header_list(HttpGetRawRequestHeaders())
  local response_headers = header_list(HttpGetRawResponseHeaders())

  local http = {
    hostname = HttpGetRequestHost(),
    url = HttpGetRequestUriRaw(),
    http_user_agent = find(request_headers, "User-Agent"),
    http_refer = find(request_headers, "Referer"),
    request_headers = request_headers,
    response_headers = response_headers,
  }
  if req_line then
    http.http_method = req_line:match("^(%S+)")
    http.protocol = req_line:match("(HTTP/%S+)%s*$")
  end
  if resp_line then
    http.status = tonumber(resp_line:match("^%S+%s+(%d+)"))
    if http.protocol == nil then http.protocol = resp_line:match("^(HTTP/%S+)") end
  end
  if is_h2c_upgrade(http.status, request_headers) then return end
  local host = find(request_headers, "Host")
  if host then http.http_port = tonumber(host:match(":(%d+)$")) end
  local content_type = find(response_headers, "Content-Type")
  if content_type then http.http_content_type = content_type:match("^[^;]*") end
  http.redirect = find(response_headers, "Location")

  -- length: eve's response body length. Known from Content-Length (what libhtp counts for an unchunked body);
  -- for other bodies, the decoded size when Suricata kept the whole body.
  local response_length = tonumber(find(response_headers, "Content-Length") or "")
  http.length = response_length

  if feed.body_limit() > 0 then
    local request_length = tonumber(find(request_headers, "Content-Length") or "")
    if find(request_headers, "Content-Encoding") ~= nil then request_length = nil end
    local request_body, _, request_gap = body(HttpGetRequestBody, request_length)
    if request_body then
      http.http_request_body_printable = feed.printable(request_body, request_length)
    end
    http.http_request_body_gap = request_gap
    local expected = find(response_headers, "Content-Encoding") == nil and response_length or nil
    local response_body, kept, response_gap = body(HttpGetResponseBody, expected)
    -- Bytes without their status line are not this transaction's response (the parser lost its place in a gap).
    if response_body and http.status == nil then response_body, response_gap = nil, true end
    if response_body then
      http.http_response_body_printable = feed.printable(response_body, expected)
      if http.length == nil and kept < feed.body_limit() and not response_gap then http.length = kept end
    end
    http.http_response_body_gap = response_gap
  end

  feed.emit({
    timestamp = date("!%Y-%m-%dT%H:%M:%S", sec) .. format(".%06d+0000", usec),
    flow_id = SCFlowId(),
    event_type = "http",
    src_ip = src_ip,
    src_port = sp,
    dest_ip = dst_ip,
    dest_port = dp,
    proto = proto == 6 and "TCP" or tostring(proto),
    http = http,
  })
end

function deinit()
  feed.deinit()
end

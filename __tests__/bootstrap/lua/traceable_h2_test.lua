-- Unit tests of bootstrap/files/lua/traceable_h2.lua, run by h2-parser.test.ts with luajit:
--   luajit traceable_h2_test.lua   (package.path must reach bootstrap/files/lua)
-- Prints one line per failure and "N passed, M failed"; exits 1 on any failure.
local h2 = require("traceable_h2")

local passed, failed = 0, 0
local function test(name, fn)
  local ok, err = pcall(fn)
  if ok then passed = passed + 1 else failed = failed + 1; print("FAIL " .. name .. ": " .. tostring(err)) end
end

local function show(v)
  if type(v) == "string" then return string.format("%q", v) end
  if type(v) ~= "table" then return tostring(v) end
  local parts = {}
  for i = 1, #v do parts[#parts + 1] = show(v[i]) end
  for k, x in pairs(v) do
    if type(k) ~= "number" then parts[#parts + 1] = tostring(k) .. "=" .. show(x) end
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end
local function eq(got, want, what)
  if show(got) ~= show(want) then error((what or "value") .. ": got " .. show(got) .. ", want " .. show(want), 2) end
end

local function hex(s) return (s:gsub("%s", ""):gsub("%x%x", function(x) return string.char(tonumber(x, 16)) end)) end
local function pairs_of(headers)
  local out = {}
  for i, h in ipairs(headers) do out[i] = { h.name, h.value } end
  return out
end

---------------------------------------------------------------- HPACK: RFC 7541 Appendix C

local C3_C4 = {
  { { ":method", "GET" }, { ":scheme", "http" }, { ":path", "/" }, { ":authority", "www.example.com" } },
  { { ":method", "GET" }, { ":scheme", "http" }, { ":path", "/" }, { ":authority", "www.example.com" },
    { "cache-control", "no-cache" } },
  { { ":method", "GET" }, { ":scheme", "https" }, { ":path", "/index.html" }, { ":authority", "www.example.com" },
    { "custom-key", "custom-value" } },
}
local C3_C4_SIZES = { 57, 110, 164 }

local function run_sequence(name, blocks, want, sizes, max_size)
  test(name, function()
    local d = h2.new_decoder(max_size)
    for i, block in ipairs(blocks) do
      local headers, err = d:decode(hex(block))
      assert(headers, err)
      eq(pairs_of(headers), want[i], name .. " block " .. i)
      eq(d.size, sizes[i], name .. " table size after block " .. i)
    end
  end)
end

run_sequence("C.3 requests without Huffman", {
  "828684410f7777772e6578616d706c652e636f6d",
  "828684be58086e6f2d6361636865",
  "828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565",
}, C3_C4, C3_C4_SIZES)

run_sequence("C.4 requests with Huffman", {
  "828684418cf1e3c2e5f23a6ba0ab90f4ff",
  "828684be5886a8eb10649cbf",
  "828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf",
}, C3_C4, C3_C4_SIZES)

local C5_C6 = {
  { { ":status", "302" }, { "cache-control", "private" }, { "date", "Mon, 21 Oct 2013 20:13:21 GMT" },
    { "location", "https://www.example.com" } },
  { { ":status", "307" }, { "cache-control", "private" }, { "date", "Mon, 21 Oct 2013 20:13:21 GMT" },
    { "location", "https://www.example.com" } },
  { { ":status", "200" }, { "cache-control", "private" }, { "date", "Mon, 21 Oct 2013 20:13:22 GMT" },
    { "location", "https://www.example.com" }, { "content-encoding", "gzip" },
    { "set-cookie", "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1" } },
}
local C5_C6_SIZES = { 222, 222, 215 } -- with a 256-byte table, each block evicts the oldest entries

run_sequence("C.5 responses without Huffman, eviction", {
  "4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a323120474d54"
    .. "6e1768747470733a2f2f7777772e6578616d706c652e636f6d",
  "4803333037c1c0bf",
  "88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c05a04677a69707738666f6f3d"
    .. "4153444a4b48514b425a584f5157454f50495541585157454f49553b206d61782d6167653d333630303b2076657273696f6e3d31",
}, C5_C6, C5_C6_SIZES, 256)

run_sequence("C.6 responses with Huffman, eviction", {
  "488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8e9ae82ae43d3",
  "4883640effc1c0bf",
  "88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007",
}, C5_C6, C5_C6_SIZES, 256)

test("Huffman codes of 13, 26, 5, 24 and 30 bits from RFC 7541 Appendix B (symbols 0, 255, 'a', 9, 10)", function()
  -- 0x1ff8, 0x3ffffee, 0x3, 0xffffea, 0x3ffffffc, then padding ones
  eq(h2.huffman_decode(hex("ffc7ffffdc3ffffeafffffff3f")), "\0\255a\t\n")
end)

test("HPACK table size update shrinks the table and evicts", function()
  local d = h2.new_decoder(4096)
  assert(d:decode(hex("828684410f7777772e6578616d706c652e636f6d")))
  eq(d.size, 57)
  local headers = assert(d:decode(hex("2082"))) -- size update to 0, then :method GET
  eq(pairs_of(headers), { { ":method", "GET" } })
  eq({ d.size, #d.entries, d.max_size }, { 0, 0, 0 })
  local _, err = d:decode(hex("be"))
  eq(err, "hpack: bad index 62", "the evicted entry is gone")
end)

test("HPACK rejects a size update after a field, a bad index, bad Huffman padding and EOS", function()
  local d = h2.new_decoder()
  eq(select(2, d:decode(hex("8220"))), "hpack: table size update after a header field")
  eq(select(2, d:decode(hex("ff00"))), "hpack: bad index 127")
  eq(select(2, d:decode(hex("0081ff"))), "huffman: bad padding", "8 bits of padding")
  eq(select(2, d:decode(hex("008100"))), "huffman: bad padding", "padding that is not all ones")
  eq(select(2, d:decode(hex("0084ffffffff"))), "huffman: EOS in string")
  eq(select(2, d:decode(hex("0005616263"))), "hpack: truncated string")
  eq(select(2, d:decode(hex("7fffffffff7f"))), "hpack: integer overflow")
end)

test("HPACK literal never indexed and without indexing leave the table alone", function()
  local d = h2.new_decoder()
  local headers = assert(d:decode(hex("100870617373776f726406736563726574") .. hex("040c2f73616d706c652f70617468")))
  eq(pairs_of(headers), { { "password", "secret" }, { ":path", "/sample/path" } })
  eq(d.size, 0)
end)

---------------------------------------------------------------- frames

local function int7(n) -- HPACK integer, 7-bit prefix, H = 0
  if n < 127 then return string.char(n) end
  local out = { string.char(127) }
  n = n - 127
  while n >= 128 do out[#out + 1] = string.char(n % 128 + 128); n = math.floor(n / 128) end
  out[#out + 1] = string.char(n)
  return table.concat(out)
end
-- Literal with incremental indexing, new name: exercises the dynamic table across blocks and streams.
local function lit(name, value) return "\64" .. int7(#name) .. name .. int7(#value) .. value end
local function block(list)
  local out = {}
  for i, h in ipairs(list) do out[i] = lit(h[1], h[2]) end
  return table.concat(out)
end
local function u24(n) return string.char(math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256) end
local function u32(n) return string.char(math.floor(n / 16777216) % 256, math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256) end
local function frame(ftype, flags, sid, payload) return u24(#payload) .. string.char(ftype, flags) .. u32(sid) .. payload end
local SETTINGS0 = frame(4, 0, 0, "")
local SETTINGS_ACK = frame(4, 1, 0, "")

local function request_block(id, extra)
  local list = { { ":method", "POST" }, { ":scheme", "http" }, { ":path", "/api/item?stream=" .. id },
    { ":authority", "svc.test:8080" }, { "content-type", "application/json" } }
  for _, h in ipairs(extra or {}) do list[#list + 1] = h end
  return block(list)
end
local function response_block(status) return block({ { ":status", tostring(status) }, { "content-type", "text/plain" } }) end

--- Runs a whole connection (ts and tc byte strings) through a parser in chunks of the given sizes, the two
--- directions interleaved; returns the handed-over streams (by id) and the first error.
local function run(ts, tc, chunk, opts)
  local got, order = {}, {}
  opts = opts or {}
  local conn = h2.new_connection({ body_limit = opts.body_limit or 1000000, on_stream = function(s)
    got[s.id] = s
    order[#order + 1] = s.id
  end })
  local p = { ts = 1, tc = 1 }
  local data = { ts = ts, tc = tc }
  local first_err
  local turn = opts.tc_first and { "tc", "ts" } or { "ts", "tc" }
  local n = 0
  while p.ts <= #ts or p.tc <= #tc do
    for _, dir in ipairs(turn) do
      if p[dir] <= #data[dir] then
        n = n + 1
        local size = type(chunk) == "function" and chunk(n) or chunk
        local ok, err = conn:feed(dir, data[dir]:sub(p[dir], p[dir] + size - 1))
        if not ok and not first_err then first_err = err end
        p[dir] = p[dir] + size
      end
    end
  end
  if opts.finish then conn:finish() end
  return got, first_err, order, conn
end

local function body_of(seed, n)
  local out, x = {}, seed
  for i = 1, n do x = (x * 1103515245 + 12345) % 2147483648; out[i] = string.char(x % 256) end
  return table.concat(out)
end

-- One connection with everything the parser must follow: Huffman header blocks from RFC 7541 C.4 (stream 1),
-- a padded HEADERS with priority, CONTINUATION, padded DATA, 100-continue, trailers, RST_STREAM, PING, GOAWAY,
-- WINDOW_UPDATE and an unknown frame type.
local function connection_fixture()
  local ts, tc = { h2.PREFACE, SETTINGS0 }, { SETTINGS0, SETTINGS_ACK }
  ts[#ts + 1] = frame(1, 5, 1, hex("828684418cf1e3c2e5f23a6ba0ab90f4ff")) -- C.4.1, END_STREAM | END_HEADERS
  tc[#tc + 1] = frame(1, 4, 1, response_block(200))
  tc[#tc + 1] = frame(0, 0, 1, "hello, ")
  tc[#tc + 1] = frame(6, 0, 0, "12345678") -- PING
  tc[#tc + 1] = frame(0, 1, 1, "world")
  -- stream 3: padded HEADERS with PRIORITY, block continued in two CONTINUATION frames; padded DATA; trailers
  local b3 = request_block(3, { { "x-long", string.rep("v", 300) } })
  ts[#ts + 1] = frame(1, 8 + 32, 3, string.char(4) .. u32(1) .. string.char(15) .. b3:sub(1, 100) .. "\0\0\0\0")
  ts[#ts + 1] = frame(9, 0, 3, b3:sub(101, 200))
  ts[#ts + 1] = frame(9, 4, 3, b3:sub(201))
  ts[#ts + 1] = frame(8, 0, 0, u32(65535)) -- WINDOW_UPDATE
  ts[#ts + 1] = frame(0, 8, 3, string.char(3) .. '{"a":' .. "\0\0\0")
  ts[#ts + 1] = frame(0, 1 + 8, 3, string.char(0) .. '1}')
  tc[#tc + 1] = frame(1, 4, 3, block({ { ":status", "100" } }))
  tc[#tc + 1] = frame(1, 4, 3, response_block(201))
  tc[#tc + 1] = frame(0, 0, 3, "created")
  tc[#tc + 1] = frame(1, 5, 3, block({ { "grpc-status", "0" } })) -- trailers end the stream
  -- stream 5: the client resets it after the response headers
  ts[#ts + 1] = frame(1, 4, 5, request_block(5))
  tc[#tc + 1] = frame(1, 4, 5, response_block(200))
  ts[#ts + 1] = frame(3, 0, 5, u32(8)) -- RST_STREAM CANCEL
  ts[#ts + 1] = frame(0xfa, 0, 0, "unknown extension frame")
  ts[#ts + 1] = frame(7, 0, 0, u32(5) .. u32(0)) -- GOAWAY
  return table.concat(ts), table.concat(tc), b3
end

local function check_fixture(got, err, order)
  eq(err, nil, "error")
  table.sort(order)
  eq(order, { 1, 3, 5 }, "streams handed over once each")
  local s1 = got[1]
  eq({ s1.method, s1.scheme, s1.path, s1.authority, s1.status }, { "GET", "http", "/", "www.example.com", 200 })
  eq({ s1.request_body, s1.response_body, s1.response_body_length, s1.complete }, { "", "hello, world", 12, true })
  local s3 = got[3]
  eq({ s3.method, s3.path, s3.authority, s3.status }, { "POST", "/api/item?stream=3", "svc.test:8080", 201 })
  eq(h2.header_value(s3.request_headers, "x-long"), string.rep("v", 300), "header from CONTINUATION")
  eq({ s3.request_body, s3.request_body_length, s3.response_body }, { '{"a":1}', 7, "created" })
  eq(pairs_of(s3.response_headers), { { ":status", "201" }, { "content-type", "text/plain" }, { "grpc-status", "0" } })
  -- how much of the server's side of a reset stream is seen depends on how the directions interleave
  local s5 = got[5]
  eq({ s5.path, s5.reset, s5.complete, s5.response_body }, { "/api/item?stream=5", 8, false, "" })
end

test("frames: whole connection in one chunk per direction", function()
  local ts, tc = connection_fixture()
  check_fixture(run(ts, tc, 1e9, { finish = true }))
end)

test("frames: every chunk size from 1 to 64 bytes, server data first", function()
  local ts, tc = connection_fixture()
  for size = 1, 64 do
    local ok, err = pcall(check_fixture, run(ts, tc, size, { tc_first = true, finish = true }))
    if not ok then error("chunk size " .. size .. ": " .. err) end
  end
end)

test("frames: random chunk boundaries (200 seeds)", function()
  local ts, tc = connection_fixture()
  for seed = 1, 200 do
    math.randomseed(seed)
    local ok, err = pcall(check_fixture, run(ts, tc, function() return math.random(1, 97) end, { tc_first = seed % 2 == 0, finish = true }))
    if not ok then error("seed " .. seed .. ": " .. err) end
  end
end)

test("frames: many concurrent streams with interleaved DATA, binary bodies byte-exact", function()
  local ts, tc = { h2.PREFACE, SETTINGS0 }, { SETTINGS0 }
  local N = 150
  for id = 1, 2 * N, 2 do ts[#ts + 1] = frame(1, 4, id, request_block(id)) end
  for round = 1, 4 do -- each stream's body in 4 DATA frames, streams interleaved
    for id = 1, 2 * N, 2 do
      local b = body_of(id, 4 * id)
      local part = b:sub((round - 1) * id + 1, round * id)
      ts[#ts + 1] = frame(0, round == 4 and 1 or 0, id, part)
    end
  end
  for id = 2 * N - 1, 1, -2 do -- answered in reverse order
    tc[#tc + 1] = frame(1, 4, id, response_block(200 + id % 3))
    tc[#tc + 1] = frame(0, 1, id, body_of(id + 7, id * 3))
  end
  local got, err = run(table.concat(ts), table.concat(tc), 1000)
  eq(err, nil)
  local n = 0
  for id = 1, 2 * N, 2 do
    local s = got[id]
    assert(s, "stream " .. id .. " missing")
    n = n + 1
    eq({ s.path, s.status, s.complete }, { "/api/item?stream=" .. id, 200 + id % 3, true })
    assert(s.request_body == body_of(id, 4 * id), "request body of stream " .. id)
    assert(s.response_body == body_of(id + 7, id * 3), "response body of stream " .. id)
  end
  eq(n, N)
end)

test("RST_STREAM: the other direction's frames sent before the reset still count", function()
  -- the client cancels; Suricata hands over the client's side first
  local ts = h2.PREFACE .. frame(1, 4, 1, request_block(1)) .. frame(0, 0, 1, "upload") .. frame(3, 0, 1, u32(8))
  local tc = SETTINGS0 .. frame(1, 4, 1, response_block(200)) .. frame(0, 0, 1, "partial answer")
  local got = run(ts, tc, 1e9)
  eq({ got[1].status, got[1].request_body, got[1].response_body, got[1].reset, got[1].complete },
    { 200, "upload", "partial answer", 8, false })
  -- the server refuses; Suricata hands over the server's side first
  ts = h2.PREFACE .. frame(1, 4, 3, request_block(3)) .. frame(0, 1, 3, "body")
  tc = SETTINGS0 .. frame(3, 0, 3, u32(7)) -- REFUSED_STREAM
  got = run(ts, tc, 1e9, { tc_first = true })
  eq({ got[3].path, got[3].request_body, got[3].status, got[3].reset }, { "/api/item?stream=3", "body", nil, 7 })
end)

test("gaps that keep the framing: a skipped client stream id, DATA without its header block", function()
  local ts = h2.PREFACE .. frame(1, 5, 1, request_block(1)) .. frame(1, 5, 5, request_block(5))
  local conn = select(4, run(ts, "", 1e9))
  eq(conn.dir.ts.err, "stream 5 opened after stream 1 (a header block was lost)")
  ts = h2.PREFACE .. frame(1, 5, 1, request_block(1))
  local tc = SETTINGS0 .. frame(0, 1, 1, "body whose HEADERS frame was lost")
  conn = select(4, run(ts, tc, 1e9))
  eq(conn.dir.tc.err, "DATA before any header block on stream 1 (the header block was lost)")
end)

test("a body that disagrees with its content-length is not complete (frames lost in a gap)", function()
  local ts = h2.PREFACE .. frame(1, 5, 1, block({ { ":method", "GET" }, { ":path", "/a" } }))
    .. frame(1, 5, 3, block({ { ":method", "HEAD" }, { ":path", "/b" } }))
  local tc = SETTINGS0 .. frame(1, 4, 1, block({ { ":status", "200" }, { "content-length", "10" } }))
    .. frame(0, 1, 1, "12345") -- five bytes of ten
    .. frame(1, 5, 3, block({ { ":status", "200" }, { "content-length", "10" } })) -- HEAD: no body, as it should be
  local got = run(ts, tc, 1e9)
  eq({ got[1].complete, got[1].length_mismatch, got[3].complete, got[3].length_mismatch }, { false, true, true, nil })
end)

test("a known gap: open bodies cut at the hole and marked, finished streams untouched, later streams not complete", function()
  local got = {}
  local conn = h2.new_connection({ on_stream = function(s) got[s.id] = s end })
  local function feed(dir, data) assert(conn:feed(dir, data)) end
  feed("ts", h2.PREFACE .. frame(1, 5, 1, request_block(1)) .. frame(1, 5, 3, request_block(3)))
  feed("tc", SETTINGS0 .. frame(1, 4, 1, response_block(200)) .. frame(0, 1, 1, "done before")
    .. frame(1, 4, 3, response_block(200)) .. frame(0, 0, 3, "before the hole;"))
  conn:gap() -- the next frames of stream 3 come after lost ones; END_STREAM arrives
  feed("tc", frame(0, 1, 3, "after the hole"))
  feed("ts", frame(1, 5, 5, request_block(5)))
  feed("tc", frame(1, 4, 5, response_block(201)) .. frame(0, 1, 5, "later"))
  local function gaps(st) return { st.request_gap == true, st.response_gap == true } end
  eq({ got[1].complete, got[1].response_body, gaps(got[1]) }, { true, "done before", { false, false } })
  eq({ got[3].complete, got[3].response_body, gaps(got[3]), got[3].status }, { false, "before the hole;", { false, true }, 200 })
  eq({ got[5].complete, got[5].response_body, gaps(got[5]), got[5].status }, { false, "", { false, true }, 201 })
end)

test("a known gap before a stream's response began: the response is marked, cut at nothing", function()
  local got = {}
  local conn = h2.new_connection({ on_stream = function(s) got[s.id] = s end })
  assert(conn:feed("ts", h2.PREFACE .. frame(1, 4, 1, request_block(1)) .. frame(0, 0, 1, "req-")))
  conn:gap()
  assert(conn:feed("ts", frame(0, 1, 1, "rest")))
  assert(conn:feed("tc", SETTINGS0 .. frame(1, 5, 1, response_block(204))))
  eq({ got[1].complete, got[1].request_body, got[1].request_gap, got[1].response_gap }, { false, "req-", true, true })
end)

test("frames: bodies are cut at the limit, the length stays true", function()
  local ts = h2.PREFACE .. SETTINGS0 .. frame(1, 4, 1, request_block(1))
    .. frame(0, 0, 1, string.rep("a", 60)) .. frame(0, 1, 1, string.rep("b", 60))
  local tc = SETTINGS0 .. frame(1, 4, 1, response_block(200)) .. frame(0, 1, 1, string.rep("c", 99))
  local got = run(ts, tc, 7, { body_limit = 100 })
  eq({ got[1].request_body, got[1].request_body_length }, { string.rep("a", 60) .. string.rep("b", 40), 120 })
  eq({ got[1].response_body, got[1].response_body_length }, { string.rep("c", 99), 99 })
end)

test("frames: a larger SETTINGS_MAX_FRAME_SIZE is honoured, a frame beyond it is an error (lost sync)", function()
  local big = string.rep("x", 20000)
  local ts = h2.PREFACE .. SETTINGS0 .. frame(1, 4, 1, request_block(1)) .. frame(0, 1, 1, big)
  -- the server allows 32768-byte frames from the client
  local tc = frame(4, 0, 0, string.char(0, 5) .. u32(32768)) .. frame(1, 4, 1, response_block(200)) .. frame(0, 1, 1, "ok")
  local got, err = run(ts, tc, 1e9, { tc_first = true })
  eq({ err, got[1] and got[1].request_body_length }, { nil, 20000 })
  local _, err2 = run(ts, SETTINGS0, 1e9)
  eq(err2, "frame of 20000 bytes exceeds 16384")
end)

test("frames: header block interrupted by another frame, CONTINUATION alone, non-HTTP/2 client", function()
  local b = request_block(1)
  local _, err = run(h2.PREFACE .. frame(1, 0, 1, b:sub(1, 10)) .. frame(8, 0, 0, u32(1)), "", 1e9)
  eq(err, "frame inside a header block")
  _, err = run(h2.PREFACE .. frame(9, 4, 1, b), "", 1e9)
  eq(err, "CONTINUATION without a header block")
  _, err = run("\22\3\1\2\0\1\0\1\252\3\3", "", 3)
  eq(err, "not HTTP/2")
  local conn = select(4, run("GET / HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP/1.1 200 OK\r\n\r\n", 5))
  eq({ conn.dir.ts.err, conn.dir.tc.err }, { "no Upgrade: h2c", "upgrade refused: HTTP/1.1 200 OK" })
end)

test("frames: PUSH_PROMISE gives the pushed stream its request", function()
  local ts = h2.PREFACE .. SETTINGS0 .. frame(1, 5, 1, request_block(1))
  local tc = SETTINGS0 .. frame(5, 4, 1, u32(2) .. block({ { ":method", "GET" }, { ":path", "/style.css" } }))
    .. frame(1, 4, 1, response_block(200)) .. frame(0, 1, 1, "page")
    .. frame(1, 4, 2, response_block(200)) .. frame(0, 1, 2, "css")
  local got, err = run(ts, tc, 5)
  eq(err, nil)
  eq({ got[2].path, got[2].response_body, got[2].pushed, got[1].response_body }, { "/style.css", "css", true, "page" })
end)

test("finish hands over the open streams as incomplete", function()
  local ts = h2.PREFACE .. frame(1, 4, 1, request_block(1)) .. frame(0, 0, 1, "partial")
  local got, err = run(ts, SETTINGS0, 1e9, { finish = true })
  eq(err, nil)
  eq({ got[1].complete, got[1].request_body, got[1].status }, { false, "partial", nil })
end)

---------------------------------------------------------------- HTTP/1.1 Upgrade

local function upgrade_connection(chunked)
  local body = '{"name":"widget"}'
  local head = "POST /api/items?via=upgrade HTTP/1.1\r\nHost: shop.test:8080\r\nUser-Agent: curl/8\r\n"
    .. "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n"
  if chunked then
    head = head .. "Transfer-Encoding: chunked\r\n\r\n" .. "5\r\n" .. body:sub(1, 5) .. "\r\n" .. string.format("%x", #body - 5)
      .. "\r\n" .. body:sub(6) .. "\r\n0\r\n\r\n"
  else
    head = head .. "Content-Length: " .. #body .. "\r\n\r\n" .. body
  end
  local ts = head .. h2.PREFACE .. SETTINGS0 .. SETTINGS_ACK .. frame(1, 5, 3, request_block(3))
  local tc = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n" .. SETTINGS0
    .. frame(1, 4, 1, hex("488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8e9ae82ae43d3"))
    .. frame(0, 1, 1, "moved") .. frame(1, 4, 3, response_block(200)) .. frame(0, 1, 3, "second")
  return ts, tc, body
end

for _, chunked in ipairs({ false, true }) do
  test("upgrade: the HTTP/1.1 request is stream 1, later streams are HTTP/2 (chunked=" .. tostring(chunked) .. ")", function()
    local ts, tc, body = upgrade_connection(chunked)
    for size = 1, 40 do
      local got, err = run(ts, tc, size)
      eq(err, nil, "chunk size " .. size)
      local s1 = got[1]
      eq({ s1.upgraded, s1.method, s1.path, s1.authority, s1.status, s1.request_body, s1.response_body },
        { true, "POST", "/api/items?via=upgrade", "shop.test:8080", 302, body, "moved" }, "chunk size " .. size)
      eq(h2.header_value(s1.request_headers, "User-Agent"), "curl/8")
      eq(h2.header_value(s1.response_headers, "location"), "https://www.example.com")
      eq({ got[3].path, got[3].response_body }, { "/api/item?stream=3", "second" })
    end
  end)
end

test("upgrade refused: the connection stays HTTP/1.1", function()
  local ts = upgrade_connection(false)
  local _, err = run(ts, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 1e9)
  eq(err, "upgrade refused: HTTP/1.1 200 OK")
end)

print(string.format("%d passed, %d failed", passed, failed))
os.exit(failed == 0 and 0 or 1)

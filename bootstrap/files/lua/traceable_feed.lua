-- traceable_feed: the one feed from Suricata's Lua outputs to the Traceable agent (shared by every output
-- script: traceable_http.lua for HTTP/1, the HTTP/2 script; never copy it).
--
--   local feed = require("traceable_feed")
--   feed.setup()          once per output script's setup(): reads TRACEABLE_FEED_MODE (socket|file),
--                         TRACEABLE_FEED_PATH and TRACEABLE_HTTP_BODY_LIMIT (bytes) from the environment
--   feed.body_limit()     the limit in bytes (0: no bodies)
--   feed.printable(s[, total])  s cut to the limit, every byte that is not printable ASCII, CR or LF as ".",
--                         as Traceable's fork does (PrintStringsToBuffer); total: the body's full length if
--                         known, so that a body stored exactly up to the limit still counts as truncated
--   feed.array(t)         marks t as a JSON array (so that an empty list is [] and not {})
--   feed.emit(event)      JSON-encodes one event table and sends (socket) or appends (file) it; counts sends
--                         and errors; never throws and never blocks Suricata
--   feed.begin_event(), feed.put_raw(s), feed.put_string(s), feed.put_slice(s, i, j), feed.put_number(n),
--   feed.put_count(n, width), feed.put_printable(s[, total]),
--   feed.send_event()     the same, for a script that writes its event's JSON itself (no table per event):
--                         straight into the feed's buffer, then sent from it as emit does
--   feed.deinit()
--
-- Socket mode sends each event as one unix datagram to the agent's socket (connected, so that the kernel tells
-- when the agent's queue has room: net.unix.max_dgram_qlen datagrams, 10 by default). When the queue is full
-- it waits up to SEND_WAIT_MS for room, once; when that wait fails, later events are dropped without waiting
-- for a second, so that a stuck agent slows Suricata by at most 5%. When the agent is not there, events are
-- dropped and a reconnect is tried every second. Every dropped event counts in send_errors.
-- Counters (events_sent, send_errors, bodies_truncated, events_too_large, and traceable_http.lua's
-- http_responses_recovered and http_responses_lost; feed.count) go to TRACEABLE_FEED_STATS (default
-- /run/traceable-feed/feed-stats.json) at most every 10 s, atomically (write, then rename). Suricata gives
-- each output script its own Lua state, so the counters live in one block of process memory that every
-- script's state shares (one slot per script, summed when written).
local ffi = require("ffi")

local M = {}

ffi.cdef [[
typedef struct { uint16_t sun_family; char sun_path[108]; } traceable_sockaddr_un;
typedef struct { double events_sent, send_errors, bodies_truncated, events_too_large, http_responses_recovered,
  http_responses_lost; } traceable_feed_slot;
typedef struct { int32_t used; double last_write; traceable_feed_slot slot[16]; } traceable_feed_counters;
struct traceable_pollfd { int fd; short events; short revents; };
struct traceable_timespec { long tv_sec; long tv_nsec; };
int socket(int domain, int type, int protocol);
int connect(int fd, const void *addr, uint32_t addrlen);
long send(int fd, const void *buf, size_t len, int flags);
int poll(struct traceable_pollfd *fds, unsigned long nfds, int timeout);
int clock_gettime(int clk_id, struct traceable_timespec *tp);
int setsockopt(int fd, int level, int optname, const void *optval, uint32_t optlen);
int close(int fd);
void *calloc(size_t nmemb, size_t size);
int setenv(const char *name, const char *value, int overwrite);
char *getenv(const char *name);
char *strerror(int errnum);
typedef struct traceable_FILE traceable_FILE;
traceable_FILE *fopen(const char *path, const char *mode);
size_t fwrite(const void *ptr, size_t size, size_t n, traceable_FILE *f);
int setvbuf(traceable_FILE *f, char *buf, int mode, size_t size);
int fflush(traceable_FILE *f);
int fclose(traceable_FILE *f);
]]

local AF_UNIX, SOCK_DGRAM, SOCK_NONBLOCK, SOCK_CLOEXEC = 1, 2, 2048, 524288
local SOL_SOCKET, SO_SNDBUF, SO_SNDBUFFORCE = 1, 7, 32
local MSG_DONTWAIT, MSG_NOSIGNAL = 64, 16384
local POLLOUT, CLOCK_REALTIME, CLOCK_MONOTONIC, IOLBF = 4, 0, 1, 1
local EAGAIN, ENOBUFS, EMSGSIZE, EINTR = 11, 105, 90, 4
local SEND_WAIT_MS, DROP_WITHOUT_WAIT_S, RECONNECT_S = 50, 1, 1

M.DEFAULT_MODE = "socket"
M.DEFAULT_SOCKET_PATH = "/run/traceable-feed/eve.sock"
M.DEFAULT_FILE_PATH = "/var/log/suricata/traceable-feed.json"
M.DEFAULT_STATS_PATH = "/run/traceable-feed/feed-stats.json"
M.DEFAULT_BODY_LIMIT = 131072
M.STATS_INTERVAL = 10
-- Asked of the kernel for the socket's send buffer: a datagram must fit in it whole, and an event carries up to
-- two bodies of the limit. SO_SNDBUFFORCE (CAP_NET_ADMIN, which the Suricata container has) may exceed
-- net.core.wmem_max; without it the kernel grants at most 2 x wmem_max (416 KiB with Linux defaults).
local SEND_BUFFER = 4194304

local COUNTERS_ENV = "TRACEABLE_FEED_COUNTERS_ADDRESS"

local mode, path, stats_path, limit
local fd, addr, addrlen, file
local connected, next_connect, no_wait_until = false, 0, 0
local pollfd = ffi.new("struct traceable_pollfd[1]")
local ts = ffi.new("struct traceable_timespec")
local counters, slot
local warned = {}

local function log_warning(msg)
  if SCLogWarning then SCLogWarning("traceable_feed: " .. msg) else io.stderr:write("traceable_feed: " .. msg .. "\n") end
end

-- One warning per kind of error, so a missing agent does not flood suricata.log.
local function warn_once(kind, msg)
  if not warned[kind] then
    warned[kind] = true
    log_warning(msg)
  end
end

local function shared_counters()
  local address = ffi.C.getenv(COUNTERS_ENV)
  if address ~= nil then
    return ffi.cast("traceable_feed_counters *", ffi.cast("uintptr_t", tonumber(ffi.string(address))))
  end
  -- Never freed: it lives as long as Suricata, which every script's state shares.
  local block = ffi.cast("traceable_feed_counters *", ffi.C.calloc(1, ffi.sizeof("traceable_feed_counters")))
  ffi.C.setenv(COUNTERS_ENV, tostring(tonumber(ffi.cast("uintptr_t", block))), 1)
  return block
end

local function parse_limit(value)
  if value == nil or value == "" then return M.DEFAULT_BODY_LIMIT end
  local n = tonumber(value)
  if n == nil or n < 0 or n ~= math.floor(n) then
    log_warning("TRACEABLE_HTTP_BODY_LIMIT must be a whole number of bytes, got " .. value .. "; using "
      .. M.DEFAULT_BODY_LIMIT)
    return M.DEFAULT_BODY_LIMIT
  end
  return n
end

local function monotonic()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) / 1e9
end

local function errno_text(e)
  return ffi.string(ffi.C.strerror(e))
end

local function open_socket()
  fd = ffi.C.socket(AF_UNIX, SOCK_DGRAM + SOCK_NONBLOCK + SOCK_CLOEXEC, 0)
  if fd < 0 then
    warn_once("socket", "socket(AF_UNIX, SOCK_DGRAM) failed: " .. errno_text(ffi.errno()))
    return
  end
  local size = ffi.new("int[1]", SEND_BUFFER)
  if ffi.C.setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, size, ffi.sizeof("int")) ~= 0 then
    ffi.C.setsockopt(fd, SOL_SOCKET, SO_SNDBUF, size, ffi.sizeof("int"))
  end
  addr = ffi.new("traceable_sockaddr_un")
  addr.sun_family = AF_UNIX
  ffi.copy(addr.sun_path, path)
  addrlen = 2 + #path + 1
end

-- Connects (again) at most once a second: the agent may start after Suricata, or restart and bind anew.
local function ensure_connected(now)
  if connected then return true end
  if fd == nil or fd < 0 or now < next_connect then return false end
  next_connect = now + RECONNECT_S
  if ffi.C.connect(fd, addr, addrlen) == 0 then
    connected = true
    return true
  end
  warn_once("agent", "cannot reach " .. path .. " (" .. errno_text(ffi.errno())
    .. "; is the agent running?): events are dropped until it is")
  return false
end

function M.setup()
  mode = os.getenv("TRACEABLE_FEED_MODE") or M.DEFAULT_MODE
  if mode ~= "socket" and mode ~= "file" then
    log_warning("TRACEABLE_FEED_MODE must be socket or file, got " .. mode .. "; using socket")
    mode = "socket"
  end
  path = os.getenv("TRACEABLE_FEED_PATH")
  if path == nil or path == "" then
    path = mode == "socket" and M.DEFAULT_SOCKET_PATH or M.DEFAULT_FILE_PATH
  end
  stats_path = os.getenv("TRACEABLE_FEED_STATS")
  if stats_path == nil or stats_path == "" then stats_path = M.DEFAULT_STATS_PATH end
  limit = parse_limit(os.getenv("TRACEABLE_HTTP_BODY_LIMIT"))

  -- Output scripts are set up one after the other at start-up, so claiming a slot needs no lock.
  counters = shared_counters()
  if counters.used >= 16 then error("traceable_feed: more than 16 output scripts") end
  slot = counters.slot[counters.used]
  counters.used = counters.used + 1

  if mode == "socket" then
    if #path > 107 then error("traceable_feed: socket path longer than 107 bytes: " .. path) end
    open_socket()
  else
    -- C stdio, so that an event is written from the buffer without a Lua string; line-buffered: one write per event.
    local f = ffi.C.fopen(path, "a")
    if f == nil then
      warn_once("open", "cannot open " .. path .. ": " .. errno_text(ffi.errno()))
    else
      file = f
      ffi.C.setvbuf(file, nil, IOLBF, 0)
    end
  end
end

function M.body_limit()
  return limit
end

-- The event being encoded: JSON written straight into one growing byte buffer by LuaJIT-compiled FFI loops, so
-- that an event costs no intermediate Lua strings (pattern-based gsub costs tens of ns per byte; a string per
-- field and a table.concat per event cost more than the bytes themselves). The socket sends from the buffer.
local floor, tostring, type, pairs, ipairs, getmetatable, band, rshift = math.floor, tostring, type, pairs, ipairs,
    getmetatable, bit.band, bit.rshift
local format = string.format
local u8p = ffi.typeof("const uint8_t *")
local buf, cap, len = nil, 0, 0

local function reserve(n)
  if len + n > cap then
    local grown = math.max(2 * cap, len + n, 65536)
    local new = ffi.new("uint8_t[?]", grown)
    if len > 0 then ffi.copy(new, buf, len) end
    buf, cap = new, grown
  end
end

local HEX = ffi.new("const uint8_t[16]", { 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102 })
-- What a byte becomes in a JSON string: 0 copied as is; else the letter after "\" (\n, \r, \t, \b, \f, \", \\),
-- or 117 (u) for \u00XX: control characters, and bytes over 0x7F as the Latin-1 code point (eve escapes invalid
-- UTF-8 instead; this keeps every datagram valid JSON whatever the bytes).
local ESCAPE = ffi.new("uint8_t[256]")
for b = 0, 255 do
  if b < 32 or b >= 127 then ESCAPE[b] = 117 end
end
ESCAPE[8], ESCAPE[9], ESCAPE[10], ESCAPE[12], ESCAPE[13], ESCAPE[34], ESCAPE[92] = 98, 116, 110, 102, 114, 34, 92
-- What a body byte becomes, as Traceable's fork prints it (PrintStringsToBuffer): printable ASCII, CR and LF kept,
-- every other byte "."; then escaped like any JSON string (only ", \, CR and LF need it).
local PRINTABLE = ffi.new("uint8_t[256]")
for b = 0, 255 do
  PRINTABLE[b] = ((b >= 32 and b <= 126) or b == 10 or b == 13) and b or 46
end

-- Appends s[0, n) as a quoted JSON string; table maps each byte first (PRINTABLE) or not (nil).
local function put_string_bytes(src, n, map)
  reserve(6 * n + 2)
  local out, o = buf, len
  out[o] = 34
  o = o + 1
  for i = 0, n - 1 do
    local b = src[i]
    if map then b = map[b] end
    local e = ESCAPE[b]
    if e == 0 then
      out[o] = b
      o = o + 1
    elseif e ~= 117 then
      out[o], out[o + 1] = 92, e
      o = o + 2
    else
      out[o], out[o + 1], out[o + 2], out[o + 3] = 92, 117, 48, 48
      out[o + 4], out[o + 5] = HEX[rshift(b, 4)], HEX[band(b, 15)]
      o = o + 6
    end
  end
  out[o] = 34
  len = o + 1
end

--- Appends s as it is (JSON punctuation, keys written by the caller: `"name":`).
function M.put_raw(s)
  local n = #s
  reserve(n)
  ffi.copy(buf + len, s, n)
  len = len + n
end
local put_raw = M.put_raw

--- Appends s as a quoted, escaped JSON string.
function M.put_string(s)
  put_string_bytes(ffi.cast(u8p, s), #s)
end
local put_string = M.put_string

--- Appends s[i..j] (1-based, inclusive; empty when j < i) as a quoted, escaped JSON string.
function M.put_slice(s, i, j)
  put_string_bytes(ffi.cast(u8p, s) + (i - 1), j >= i and j - i + 1 or 0)
end

local digits = ffi.new("uint8_t[16]")

--- Appends a whole number from 0 to 10^15 (ports, flow ids, lengths, microseconds) with at least `width` (at most 16)
--- digits, zeros in front, written in place: string.format made a Lua string per number.
local function put_count(v, width)
  local n = 0
  repeat
    local d = v % 10
    digits[n] = 48 + d
    v = (v - d) / 10
    n = n + 1
  until v == 0
  while n < width do
    digits[n] = 48
    n = n + 1
  end
  reserve(n)
  for i = n - 1, 0, -1 do
    buf[len] = digits[i]
    len = len + 1
  end
end
M.put_count = put_count

--- Appends a number (integers without a fraction; NaN and infinities as null).
function M.put_number(v)
  if v >= 0 and v < 1e15 and v == floor(v) then
    put_count(v, 1)
  elseif v == floor(v) and v >= -9007199254740992 and v <= 9007199254740992 then
    put_raw(format("%d", v))
  elseif v ~= v or v == math.huge or v == -math.huge then
    put_raw("null")
  else
    put_raw(format("%.17g", v))
  end
end
local put_number = M.put_number

--- Appends a body as Traceable's fork prints it (see M.printable), quoted and escaped, in one pass; counts it as
--- truncated when longer than the limit (or when its full length `total` is).
function M.put_printable(s, total)
  local n = #s
  if n > limit or (total ~= nil and total > limit) then
    slot.bodies_truncated = slot.bodies_truncated + 1
    if n > limit then n = limit end
  end
  put_string_bytes(ffi.cast(u8p, s), n, PRINTABLE)
end

function M.printable(s, total)
  if s == nil then return nil end
  if #s > limit or (total ~= nil and total > limit) then
    slot.bodies_truncated = slot.bodies_truncated + 1
    s = s:sub(1, limit)
  end
  local n = #s
  reserve(n)
  local src, out = ffi.cast(u8p, s), buf + len
  for i = 0, n - 1 do out[i] = PRINTABLE[src[i]] end
  return ffi.string(out, n)
end

local ARRAY = {}
function M.array(t)
  return setmetatable(t or {}, ARRAY)
end

local function put_value(v)
  local t = type(v)
  if t == "string" then
    put_string(v)
  elseif t == "number" then
    put_number(v)
  elseif t == "boolean" then
    put_raw(v and "true" or "false")
  elseif t == "table" then
    if getmetatable(v) == ARRAY or (v[1] ~= nil) then
      put_raw("[")
      for i, item in ipairs(v) do
        if i > 1 then put_raw(",") end
        put_value(item)
      end
      put_raw("]")
    else
      put_raw("{")
      local first = true
      for k, item in pairs(v) do
        if not first then put_raw(",") end
        first = false
        put_string(tostring(k))
        put_raw(":")
        put_value(item)
      end
      put_raw("}")
    end
  else
    put_raw("null")
  end
end

--- Starts a new event in the buffer (what the put_* functions append to; M.send_event sends it).
function M.begin_event()
  len = 0
end

local function encode_into(event)
  len = 0
  put_value(event)
end

function M.encode(event)
  encode_into(event)
  return ffi.string(buf, len)
end

-- The counters of a slot (traceable_feed_slot), in feed-stats.json's order.
local COUNTERS = { "events_sent", "send_errors", "bodies_truncated", "events_too_large", "http_responses_recovered",
  "http_responses_lost" }

--- Adds n (default 1) to one of the counters (a name in COUNTERS) of this script's slot.
function M.count(name, n)
  slot[name] = slot[name] + (n or 1)
end

local function write_stats(now)
  counters.last_write = now
  local parts = { format('{"time":%d,"mode":"%s"', now, mode) }
  for _, name in ipairs(COUNTERS) do
    local total = 0
    for i = 0, counters.used - 1 do total = total + counters.slot[i][name] end
    parts[#parts + 1] = format('"%s":%d', name, total)
  end
  parts[#parts + 1] = format('"body_limit":%d}\n', limit)
  local json = table.concat(parts, ",")
  local tmp = stats_path .. ".tmp"
  local f = io.open(tmp, "w")
  if not f then
    warn_once("stats", "cannot write " .. tmp)
    return
  end
  f:write(json)
  f:close()
  os.rename(tmp, stats_path)
end

local function send_datagram()
  local now = monotonic()
  if not ensure_connected(now) then return false end
  local waited = false
  while true do
    if ffi.C.send(fd, buf, len, MSG_DONTWAIT + MSG_NOSIGNAL) >= 0 then return true end
    local e = ffi.errno()
    if e == EMSGSIZE then
      slot.events_too_large = slot.events_too_large + 1
      warn_once("size", "an event of " .. len .. " bytes is larger than the socket allows; lower the body limit")
      return false
    elseif e == EAGAIN or e == ENOBUFS then
      -- The agent's queue is full: wait for room once, unless a wait failed within the last second.
      if waited or now < no_wait_until then return false end
      waited = true
      pollfd[0].fd, pollfd[0].events, pollfd[0].revents = fd, POLLOUT, 0
      if ffi.C.poll(pollfd, 1, SEND_WAIT_MS) <= 0 then
        no_wait_until = monotonic() + DROP_WITHOUT_WAIT_S
        return false
      end
    elseif e ~= EINTR then
      -- ECONNREFUSED, ENOTCONN ...: the agent went away (or rebound its socket); reconnect later.
      connected = false
      warn_once("send" .. e, "send to " .. path .. ": " .. errno_text(e))
      ffi.C.close(fd)
      open_socket()
      return false
    end
  end
end

local function send()
  if mode == "socket" then return send_datagram() end
  if file == nil then return false end
  put_raw("\n")
  return ffi.C.fwrite(buf, 1, len, file) == len
end

local realtime = ffi.new("struct traceable_timespec")
local function count_sent(ok, sent)
  if ok and sent then
    slot.events_sent = slot.events_sent + 1
  else
    slot.send_errors = slot.send_errors + 1
    if not ok then warn_once("emit", "could not encode an event: " .. tostring(sent)) end
  end
  ffi.C.clock_gettime(CLOCK_REALTIME, realtime)
  local now = tonumber(realtime.tv_sec)
  if now - counters.last_write >= M.STATS_INTERVAL then pcall(write_stats, now) end
end

--- Sends (socket) or appends (file) the event written since M.begin_event(); never throws.
function M.send_event()
  count_sent(pcall(send))
end

--- JSON-encodes one event table and sends or appends it; never throws.
function M.emit(event)
  local ok, err = pcall(encode_into, event)
  if not ok then return count_sent(false, err) end
  count_sent(pcall(send))
end

function M.deinit()
  if file then
    ffi.C.fclose(file)
    file = nil
  end
  if fd ~= nil and fd >= 0 then
    ffi.C.close(fd)
    fd = nil
  end
  pcall(write_stats, os.time())
end

return M

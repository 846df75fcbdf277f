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
--   feed.deinit()
--
-- Socket mode sends each event as one unix datagram to the agent's socket (connected, so that the kernel tells
-- when the agent's queue has room: net.unix.max_dgram_qlen datagrams, 10 by default). When the queue is full
-- it waits up to SEND_WAIT_MS for room, once; when that wait fails, later events are dropped without waiting
-- for a second, so that a stuck agent slows Suricata by at most 5%. When the agent is not there, events are
-- dropped and a reconnect is tried every second. Every dropped event counts in send_errors.
-- Counters (events_sent, send_errors, bodies_truncated, time) go to TRACEABLE_FEED_STATS (default
-- /run/traceable-feed/feed-stats.json) at most every 10 s, atomically (write, then rename). Suricata gives
-- each output script its own Lua state, so the counters live in one block of process memory that every
-- script's state shares (one slot per script, summed when written).
local ffi = require("ffi")

local M = {}

ffi.cdef [[
typedef struct { uint16_t sun_family; char sun_path[108]; } traceable_sockaddr_un;
typedef struct { double events_sent, send_errors, bodies_truncated, events_too_large; } traceable_feed_slot;
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
]]

local AF_UNIX, SOCK_DGRAM, SOCK_NONBLOCK, SOCK_CLOEXEC = 1, 2, 2048, 524288
local SOL_SOCKET, SO_SNDBUF, SO_SNDBUFFORCE = 1, 7, 32
local MSG_DONTWAIT, MSG_NOSIGNAL = 64, 16384
local POLLOUT, CLOCK_MONOTONIC = 4, 1
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
    local f, err = io.open(path, "a")
    if not f then
      warn_once("open", "cannot open " .. path .. ": " .. tostring(err))
    else
      file = f
      file:setvbuf("line")
    end
  end
end

function M.body_limit()
  return limit
end

function M.printable(s, total)
  if s == nil then return nil end
  if #s > limit or (total ~= nil and total > limit) then
    slot.bodies_truncated = slot.bodies_truncated + 1
    s = s:sub(1, limit)
  end
  return (s:gsub("[^ -~\r\n]", "."))
end

local ARRAY = {}
function M.array(t)
  return setmetatable(t or {}, ARRAY)
end

-- JSON string escapes: control characters as \u00XX, bytes over 0x7F as the Latin-1 code point \u00XX (eve
-- escapes invalid UTF-8 instead; this keeps every datagram valid JSON whatever the bytes).
local ESCAPES = { ['"'] = '\\"', ['\\'] = '\\\\', ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t' }
for b = 0, 255 do
  local c = string.char(b)
  if ESCAPES[c] == nil and (b < 32 or b >= 127) then ESCAPES[c] = string.format("\\u%04x", b) end
end

local encode_value
local concat, format, floor, tostring, type, pairs, ipairs, getmetatable = table.concat, string.format, math.floor,
    tostring, type, pairs, ipairs, getmetatable

local function encode_string(s, out, n)
  n = n + 1
  out[n] = '"' .. s:gsub('[%c"\\\128-\255]', ESCAPES) .. '"'
  return n
end

encode_value = function(v, out, n)
  local t = type(v)
  if t == "string" then
    return encode_string(v, out, n)
  elseif t == "number" then
    n = n + 1
    if v == floor(v) and v >= -9007199254740992 and v <= 9007199254740992 then
      out[n] = format("%d", v)
    elseif v ~= v or v == math.huge or v == -math.huge then
      out[n] = "null"
    else
      out[n] = format("%.17g", v)
    end
    return n
  elseif t == "boolean" then
    n = n + 1
    out[n] = v and "true" or "false"
    return n
  elseif t == "table" then
    if getmetatable(v) == ARRAY or (v[1] ~= nil) then
      n = n + 1
      out[n] = "["
      for i, item in ipairs(v) do
        if i > 1 then
          n = n + 1
          out[n] = ","
        end
        n = encode_value(item, out, n)
      end
      n = n + 1
      out[n] = "]"
    else
      n = n + 1
      out[n] = "{"
      local first = true
      for k, item in pairs(v) do
        if not first then
          n = n + 1
          out[n] = ","
        end
        first = false
        n = encode_string(tostring(k), out, n)
        n = n + 1
        out[n] = ":"
        n = encode_value(item, out, n)
      end
      n = n + 1
      out[n] = "}"
    end
    return n
  end
  n = n + 1
  out[n] = "null"
  return n
end

function M.encode(event)
  local out = {}
  local n = encode_value(event, out, 0)
  return concat(out, "", 1, n)
end

local function write_stats(now)
  counters.last_write = now
  local sent, errors, truncated, too_large = 0, 0, 0, 0
  for i = 0, counters.used - 1 do
    local s = counters.slot[i]
    sent, errors = sent + s.events_sent, errors + s.send_errors
    truncated, too_large = truncated + s.bodies_truncated, too_large + s.events_too_large
  end
  local json = format('{"time":%d,"mode":"%s","events_sent":%d,"send_errors":%d,"bodies_truncated":%d,'
    .. '"events_too_large":%d,"body_limit":%d}\n', now, mode, sent, errors, truncated, too_large, limit)
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

local function send_datagram(line)
  local now = monotonic()
  if not ensure_connected(now) then return false end
  local waited = false
  while true do
    if ffi.C.send(fd, line, #line, MSG_DONTWAIT + MSG_NOSIGNAL) >= 0 then return true end
    local e = ffi.errno()
    if e == EMSGSIZE then
      slot.events_too_large = slot.events_too_large + 1
      warn_once("size", "an event of " .. #line .. " bytes is larger than the socket allows; lower the body limit")
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

local function send(line)
  if mode == "socket" then return send_datagram(line) end
  if file == nil then return false end
  return file:write(line, "\n") ~= nil
end

function M.emit(event)
  local ok, sent = pcall(function() return send(M.encode(event)) end)
  if ok and sent then
    slot.events_sent = slot.events_sent + 1
  else
    slot.send_errors = slot.send_errors + 1
    if not ok then warn_once("emit", "could not encode an event: " .. tostring(sent)) end
  end
  local now = os.time()
  if now - counters.last_write >= M.STATS_INTERVAL then pcall(write_stats, now) end
end

function M.deinit()
  if file then
    file:flush()
    file:close()
    file = nil
  end
  if fd ~= nil and fd >= 0 then
    ffi.C.close(fd)
    fd = nil
  end
  pcall(write_stats, os.time())
end

return M

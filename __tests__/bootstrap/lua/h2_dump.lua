-- Feeds one recorded connection (the client's bytes and the server's bytes, in two files) through traceable_h2.lua
-- in random chunks with the two directions randomly interleaved, and prints each stream handed over as one JSON
-- line, then a last line {"errors": [...]}. Used by h2-parser.test.ts.
--   luajit h2_dump.lua CLIENT_BYTES_FILE SERVER_BYTES_FILE SEED MAX_CHUNK BODY_LIMIT
local h2 = require("traceable_h2")

local ts_file, tc_file, seed, max_chunk, body_limit = arg[1], arg[2], tonumber(arg[3]), tonumber(arg[4]), tonumber(arg[5])
local function slurp(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

-- JSON with every byte outside printable ASCII escaped as \u00XX, so the reader gets the bytes back as latin1.
local function json(v)
  local t = type(v)
  if t == "string" then
    return '"' .. v:gsub('[%c"\\\128-\255]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
  elseif t == "number" or t == "boolean" then
    return tostring(v)
  elseif t == "nil" then
    return "null"
  end
  local parts = {}
  if #v > 0 or next(v) == nil then
    for i = 1, #v do parts[i] = json(v[i]) end
    return "[" .. table.concat(parts, ",") .. "]"
  end
  for k, x in pairs(v) do parts[#parts + 1] = json(tostring(k)) .. ":" .. json(x) end
  return "{" .. table.concat(parts, ",") .. "}"
end

local data = { ts = slurp(ts_file), tc = slurp(tc_file) }
local conn = h2.new_connection({ body_limit = body_limit, on_stream = function(s)
  print(json({
    id = s.id, method = s.method, path = s.path, authority = s.authority, status = s.status, upgraded = s.upgraded or false,
    complete = s.complete, request_headers = s.request_headers, response_headers = s.response_headers,
    request_body = s.request_body, response_body = s.response_body,
    request_body_length = s.request_body_length, response_body_length = s.response_body_length,
  }))
end })

math.randomseed(seed)
local pos, errors, chunks = { ts = 1, tc = 1 }, {}, 0
while pos.ts <= #data.ts or pos.tc <= #data.tc do
  local dir = math.random(2) == 1 and "ts" or "tc"
  if pos[dir] > #data[dir] then dir = dir == "ts" and "tc" or "ts" end
  local size = math.random(1, max_chunk)
  local ok, err = conn:feed(dir, data[dir]:sub(pos[dir], pos[dir] + size - 1))
  if not ok then errors[#errors + 1] = dir .. ": " .. err end
  pos[dir] = pos[dir] + size
  chunks = chunks + 1
end
conn:finish()
print(json({ errors = errors, chunks = chunks }))

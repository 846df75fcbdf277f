-- Runs bootstrap/files/lua/traceable_http.lua outside Suricata: the Suricata functions it calls are played by this
-- driver, the feed is the real traceable_feed.lua (file mode, TRACEABLE_FEED_* from the environment).
--   luajit traceable_http_driver.lua SCRIPT
-- One transaction per flow, each a request with Upgrade (or none) and a response status:
--   1 GET 200, no Upgrade; 2 Upgrade: h2c answered 101; 3 Upgrade: websocket answered 101;
--   4 Upgrade: h2c answered 200 (the server refused it); 5 Upgrade: "foo, H2C" answered 101.
local script = arg[1]
local cases = {
  { upgrade = nil, status = 200 },
  { upgrade = "h2c", status = 101 },
  { upgrade = "websocket", status = 101 },
  { upgrade = "h2c", status = 200 },
  { upgrade = "foo, H2C", status = 101 },
}
local current, flow
function SCFlowTuple() return 4, "10.0.0." .. flow, "10.0.1.1", 6, 40000 + flow, 8080 end
function SCFlowId() return flow end
function SCPacketTimestamp() return 1796000000, 0 end
function HttpGetRequestLine() return "GET /case/" .. flow .. " HTTP/1.1" end
function HttpGetResponseLine() return "HTTP/1.1 " .. current.status .. " X" end
function HttpGetRawRequestHeaders()
  local h = "Host: 10.0.1.1:8080\r\n"
  if current.upgrade then h = h .. "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: " .. current.upgrade .. "\r\n" end
  return h
end
function HttpGetRawResponseHeaders() return "Content-Length: 0\r\n" end
function HttpGetRequestHost() return "10.0.1.1" end
function HttpGetRequestUriRaw() return "/case/" .. flow end
function HttpGetRequestBody() return nil end
function HttpGetResponseBody() return nil end

dofile(script)
init()
setup()
for i, case in ipairs(cases) do
  flow, current = i, case
  log()
end
deinit()

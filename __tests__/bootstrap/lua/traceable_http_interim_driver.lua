-- Runs bootstrap/files/lua/traceable_http.lua outside Suricata (the Suricata functions played here, the real feed in
-- file mode): flow 7's only response is a 103 Early Hints (its connection ends before the final one), then a
-- transaction of flow 8; at the end, Suricata stops.
--   luajit traceable_http_interim_driver.lua SCRIPT
local script = arg[1]
local flow, status
function SCFlowTuple() return 4, "10.0.0." .. flow, "10.0.1.1", 6, 40000 + flow, 8080 end
function SCFlowId() return flow end
function SCPacketTimestamp() return 1796000000 + flow, 0 end
function HttpGetRequestLine() return "GET /flow/" .. flow .. " HTTP/1.1" end
function HttpGetResponseLine() return "HTTP/1.1 " .. status end
function HttpGetRawRequestHeaders() return "Host: 10.0.1.1:8080\r\n\r\n" end
function HttpGetRawResponseHeaders()
  return status == "103 Early Hints" and "Link: </a.css>; rel=preload\r\n\r\n" or "Content-Length: 0\r\n\r\n"
end
function HttpGetRequestHost() return "10.0.1.1" end
function HttpGetRequestUriRaw() return "/flow/" .. flow end
function HttpGetRequestBody() return {} end
function HttpGetResponseBody() return {} end

dofile(script)
init()
setup()
flow, status = 7, "103 Early Hints"
log()
flow, status = 8, "200 OK"
log()
-- Suricata stopping: no flow is current any more.
flow, status = nil, nil
SCFlowTuple, SCPacketTimestamp = nil, nil
deinit()

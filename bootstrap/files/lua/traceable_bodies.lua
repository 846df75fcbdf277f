-- Suricata 7.0 keeps HTTP bodies only when something asks for them: detection keywords on bodies, or a
-- streaming HTTP body logger. This is that logger: being listed makes libhtp keep each request and response
-- body (de-chunked, decompressed) up to the libhtp body limits in suricata.yaml, so that traceable_http.lua
-- can read them with HttpGetRequestBody/HttpGetResponseBody. It does nothing with the data itself.
function init()
  return { protocol = "http", type = "streaming" }
end

function setup() end

function log() end

function deinit() end

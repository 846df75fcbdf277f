/**
 * The settings the configuration offers for the agent hosts, with their defaults and bounds: the configuration's schema
 * validates them and the bootstrap renders them, so both read them here (the configuration never imports the bootstrap).
 */

/** Suricata release the fleet runs (7.0.x: VXLAN decoding, eve http with dump-all-headers, HTTP/2). */
const SURICATA_VERSION = '7.0.10';

/** Container image of {@link SURICATA_VERSION} (multi-architecture: amd64 and arm64). */
export const DEFAULT_SURICATA_IMAGE = `jasonish/suricata:${SURICATA_VERSION}`;

/** Traceable platform agent version deployed unless the configuration names another (TraceableAgentVersion). */
export const DEFAULT_TRACEABLE_AGENT_VERSION = '1.71.2';

/** How the HTTP events reach the agent: `socket` (default), one unix datagram per event, as Traceable's
 * Suricata fork delivers eve (github.com/Traceableai/suricata config/suricata.yaml: `eve-log: filetype:
 * unix_dgram`); `file`, one JSON line per event, to look at what the agent receives. */
export const FEED_MODES = ['socket', 'file'] as const;
export type FeedMode = (typeof FEED_MODES)[number];
export const DEFAULT_FEED_MODE: FeedMode = 'socket';

/** Default HTTP body limit per direction, bytes: 128 KiB, the body size Traceable's open-source (Hypertrace)
 * language agents capture by default (`data_capture.body_max_size_bytes` 131072 in github.com/hypertrace/goagent
 * config/defaults.go and hypertrace/pythonagent src/hypertrace/agent/config/default.py). Traceable's fork keeps 2 KB
 * (libhtp request/response-body-limit in its config/suricata.yaml), too little for most JSON API payloads. */
export const DEFAULT_HTTP_BODY_LIMIT = 131072;

/** Largest HttpBodyLimit: one event carries two bodies and must fit in one datagram, which must fit in the
 * socket's send buffer (at most 2 x net.core.wmem_max = 416 KiB with Linux defaults). Also the libhtp body
 * limits in suricata.yaml, so Suricata never keeps more of a body than the feed may send. */
export const MAX_HTTP_BODY_LIMIT = 131072;

/** Characters a plain setting written into the hosts' environment file may have (TraceableEnvironment,
 * TraceableServiceName): nothing the shell or systemd would read as syntax. */
export const PLAIN_HOST_SETTING = /^[A-Za-z0-9 ._:/@+=,-]+$/;

/**
 * Facts of what runs on the fleet: images, paths, the feed from Suricata to the agent. The facts the infrastructure
 * around it must match (ports, metric names, the token secret's key) and the settings the configuration offers for it
 * (images, feed mode, body limits: shared/host-settings.ts) are in shared/.
 */

/** Where the agent and the bootstrap write their logs on the instance (the seed's troubleshooting path). */
export const LOG_DIR = '/var/traceable/log';

/** Container repository of the Traceable platform agent; the tag is the agent version. */
export const TRACEABLE_AGENT_REPOSITORY = 'traceableai/traceable-agent';


/** aws CLI container used to read the token secret where the OS has no aws CLI (Ubuntu). */
export const DEFAULT_AWS_CLI_IMAGE = 'public.ecr.aws/aws-cli/aws-cli:2.15.0';

/** CloudWatch agent package version on Ubuntu (Amazon Linux 2023 installs its repository's package). */
export const DEFAULT_CLOUDWATCH_AGENT_VERSION = 'latest';

/** Where Suricata writes eve.json inside its container and where the agent container reads it (both mount
 * {@link SURICATA_LOG_DIR} there). */
export const EVE_FILE_IN_CONTAINER = '/var/log/suricata/eve.json';

/** Suricata's log directory on the instance (eve.json, suricata.log, stats.log), under {@link LOG_DIR}. */
export const SURICATA_LOG_DIR = `${LOG_DIR}/suricata`;

/** Interface name the rendered Suricata configuration captures on when none is detected (render:bootstrap,
 * tests); on the instance the primary interface is detected at boot. ENA interfaces are ens5 on AL2023/Ubuntu. */
export const DEFAULT_CAPTURE_INTERFACE = 'ens5';

/** EC2's limit on user data before base64, i.e. on the gzip-compressed script the launch template carries. */
export const USER_DATA_LIMIT_BYTES = 16384;

// ---------------------------------------------------------------------------------------------------------------
// The feed from Suricata to the Traceable agent: every setting of it, in one place. The Lua module
// (files/lua/traceable_feed.lua) falls back to the same defaults; a test keeps the two in step.

/** The feed directory: tmpfs on the host, mounted at the same path into the suricata and agent containers. */
export const FEED_DIR = '/run/traceable-feed';

/** Socket mode: the agent binds this unix datagram socket and Suricata's Lua output sends to it. The path is
 * ours (the fork's agent reads default-log-dir/eve.json); the agent setting that names it is an assumption:
 * no public Traceable document names one (see {@link AGENT_FEED_ENVIRONMENT}). */
export const FEED_SOCKET_PATH = `${FEED_DIR}/eve.sock`;

/** File mode: where the events are appended, in the Suricata container (host: {@link SURICATA_LOG_DIR}). */
export const FEED_FILE_PATH = '/var/log/suricata/traceable-feed.json';

/** The feed's counters (events_sent, send_errors, bodies_truncated, events_too_large, http_responses_recovered,
 * http_responses_lost, time), rewritten at most every 10 s, for the health check and the metrics. */
export const FEED_STATS_PATH = `${FEED_DIR}/feed-stats.json`;

/** Suricata's own counters: the eve stats-only output, one JSON line every 30 s (totals). */
export const SURICATA_STATS_FILE = 'stats.json';

/** Where the Lua output scripts are installed on the instance and found by Suricata (scripts-dir). */
export const SURICATA_LUA_DIR = '/opt/traceable/etc/lua';


/** The agent's side of the feed. ASSUMPTION: no public Traceable document names the platform agent setting that
 * tells it where to read Suricata's events, nor says that it binds a unix datagram socket itself (the fork sends
 * eve there with `filetype: unix_dgram`, so its agent must). The agent gets the feed path in the variable it
 * already gets the eve file in (agentEnvironment() in bootstrap/index.ts), unconfirmed as well. */
export const AGENT_FEED_PATH_VARIABLE = 'TA_SURICATA_EVE_FILE';

/** net.unix.max_dgram_qlen for the agent's network namespace (the host's, with host networking): how many
 * events may wait in the agent's socket queue. The Linux default, 10, is a burst of ten transactions; the feed
 * waits at most 50 ms for room, then drops (and counts) events. Set by the host at boot. */
export const FEED_MAX_DGRAM_QLEN = 512;

/** Environment variable the agent reads its refresh token from (an assumption: see README). The entrypoint wrapper
 * (agent-entrypoint.sh) exports it from a read-only file, on the EC2 hosts and in the ECS task alike. */
export const AGENT_TOKEN_VARIABLE = 'TA_REFRESH_TOKEN';

/** systemd slice (cgroup) the EC2 hosts run the Suricata and agent containers in (`docker run --cgroup-parent`);
 * an iptables rule rejects its traffic to the instance metadata service. */
export const CONTAINER_SLICE = 'traceableagents.slice';

/** cgroup (v2) under which the ECS agent runs task containers on Amazon Linux 2023 (`ecstasks.slice/ecstasks-<task>.slice`). */
export const ECS_TASKS_CGROUP = 'ecstasks.slice';

/** Where host metrics go on EC2: the CloudWatch agent's embedded metric format listener. */
export const EMF_LISTENER = 'udp:127.0.0.1:25888';


// ---------------------------------------------------------------------------------------------------------------
// What the containers may do (EC2 units and the ECS task alike; README "Containers: least privilege").

/** The Suricata container's only capabilities, as Docker and ECS name them: NET_RAW opens the af-packet socket and
 * IPC_LOCK maps its ring locked (`mmap-locked: yes`) beyond RLIMIT_MEMLOCK. Measured with the real Suricata in
 * __tests__/bootstrap/least-privilege.test.ts: it captures and decodes with exactly these, and fails without either. */
export const SURICATA_CAPABILITIES = ['NET_RAW', 'IPC_LOCK'] as const;

/** The ECS Suricata container's one writable path besides its volumes: suricata-start.sh writes the configuration
 * for the detected interface there (the EC2 hosts render it at boot and mount it read-only). */
export const SURICATA_CONF_DIR_IN_CONTAINER = '/etc/traceable/suricata';

/** Scratch space of the agent container (tmpfs), the one writable path besides the feed directory: no public
 * document says where the Traceable agent writes, and /tmp is where programs commonly do. */
export const AGENT_TMP_DIR = '/tmp';

/**
 * Ports and paths shared by what runs on the fleet (bootstrap/) and the infrastructure around it (constructs/): the NLB's
 * listener and health check must use exactly what the agent hosts expose.
 */

/** VXLAN, the encapsulation AWS Traffic Mirroring uses toward the mirror target. */
export const VXLAN_UDP_PORT = 4789;

/** GENEVE, the encapsulation a Gateway Load Balancer uses toward its targets (here: around the mirrored VXLAN). */
export const GENEVE_UDP_PORT = 6081;

/** TCP port of the fleet's health endpoint; answers 200 only while both `suricata` and `traceable` run. */
export const HEALTH_CHECK_PORT = 8089;

/** HTTP path of the health endpoint on {@link HEALTH_CHECK_PORT}. */
export const HEALTH_CHECK_PATH = '/healthz';

/** MirrorTcpPorts: the mirror filter narrowed to the API's TCP ports, in synth (terraform-plan.test.ts plans it). */
import { ConfigError } from '../config';
import { configOf, resource, resourceAddresses, synthConfig } from './helpers/synth';

const RULE = 'aws_ec2_traffic_mirror_filter_rule';
const rulesOf = (addresses: string[]) => addresses.filter((address) => address.startsWith(`${RULE}.`));

describe('MirrorTcpPorts', () => {
  test('default: one accept-all-TCP rule per direction at the existing addresses', () => {
    const { json } = synthConfig();
    expect(rulesOf(resourceAddresses(json))).toEqual([`${RULE}.mirror_accept_tcp_egress`, `${RULE}.mirror_accept_tcp_ingress`]);
    expect(resource(json, RULE, 'mirror_accept_tcp_ingress')).not.toHaveProperty('destination_port_range');
  });

  test('ports and ranges: to the port inbound, from the port outbound, numbered in the given order, no accept-all rule', () => {
    // Act
    const { json } = synthConfig({ MirrorTcpPorts: '443, 8080-8089' });
    // Assess
    expect(rulesOf(resourceAddresses(json))).toEqual([
      `${RULE}.mirror_accept_tcp_port_0_egress`, `${RULE}.mirror_accept_tcp_port_0_ingress`,
      `${RULE}.mirror_accept_tcp_port_1_egress`, `${RULE}.mirror_accept_tcp_port_1_ingress`,
    ]);
    expect(resource(json, RULE, 'mirror_accept_tcp_port_0_ingress')).toMatchObject({
      traffic_direction: 'ingress', rule_number: 100, rule_action: 'accept', protocol: 6,
      destination_port_range: { from_port: 443, to_port: 443 }, description: 'Accept TCP to port 443 (requests)',
    });
    expect(resource(json, RULE, 'mirror_accept_tcp_port_0_ingress')).not.toHaveProperty('source_port_range');
    expect(resource(json, RULE, 'mirror_accept_tcp_port_1_egress')).toMatchObject({
      traffic_direction: 'egress', rule_number: 101, source_port_range: { from_port: 8080, to_port: 8089 },
      description: 'Accept TCP from port 8080-8089 (responses)',
    });
    expect(resource(json, RULE, 'mirror_accept_tcp_port_1_egress')).not.toHaveProperty('destination_port_range');
  });

  test('ten entries are accepted; the eleventh is refused naming the limit', () => {
    const ten = Array.from({ length: 10 }, (_, i) => String(8000 + i));
    expect(configOf({ MirrorTcpPorts: ten }).MirrorTcpPorts).toEqual(ten);
    const eleven = [...ten, '9000'];
    expect(() => configOf({ MirrorTcpPorts: eleven.join(',') })).toThrow(ConfigError);
    try {
      configOf({ MirrorTcpPorts: eleven.join(',') });
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        `MirrorTcpPorts: got "${eleven.join(',')}"; expected at most 10 ports or ranges (AWS allows 10 traffic mirror filter rules per direction and each entry takes one); 11 given: merge neighbours into ranges such as 8000-8099`,
      ]);
    }
  });
});

/**
 * SameZoneDelivery as `terraform plan` shows it (offline, real CLI): cross-zone load balancing off on the NLB and on
 * its target group, and one autoscaling group per subnet, each with its own launch template, scaling policies and
 * loss alarms on its own hosts' metrics, for the shipped example examples/modes/same-zone.json. The default fleet's
 * addresses are covered by the upgrade.terraform-plan test.
 */
import { join } from 'node:path';
import { loadConfig } from '../config';
import { resource, synthValidated, userDataScript, type TerraformJson } from './helpers/synth';
import { terraformPlan } from './helpers/terraform';

jest.setTimeout(240_000);

const { config } = loadConfig(join(__dirname, '..', 'examples', 'modes', 'same-zone.json'));
const SUBNETS = config.SubnetIds;
const STACK = config.StackName;
/** The Terraform name prefix of a subnet's group: `fleet_zone_<subnet id with underscores>_`. */
const zone = (subnet: string) => `fleet_zone_${subnet.replace(/-/g, '_')}`;

describe('SameZoneDelivery (terraform plan)', () => {
   
  let resources: { address: string; type: string; values: any }[];
  let json: TerraformJson;
  beforeAll(async () => {
    expect(config).toMatchObject({ SameZoneDelivery: true, DeployTraceableAgentInECS: false });
    expect(SUBNETS.length).toBeGreaterThan(1);
    const { stackDir, json: synthesized } = synthValidated(config);
    const plan = await terraformPlan(stackDir, { env: { TF_VAR_traceable_refresh_token: 'token-for-plan' } });
    resources = plan.json.planned_values.root_module.resources;
    json = synthesized;
  });
  const planned = (address: string) => {
    const found = resources.find((resource) => resource.address === address);
    if (!found) throw new Error(`${address} is not planned`);
    return found.values;
  };
  const addressesOf = (type: string) => resources.filter((resource) => resource.type === type).map((resource) => resource.address).sort();

  test('the NLB and its target group keep traffic in its zone', () => {
    expect(planned('aws_lb.mirror_nlb').enable_cross_zone_load_balancing).toBe(false);
    expect(planned('aws_lb_target_group.mirror_vxlan_target_group').load_balancing_cross_zone_enabled).toBe('false');
  });

  test('one autoscaling group and launch template per subnet, and no stack-wide group', () => {
    expect(addressesOf('aws_autoscaling_group')).toEqual(SUBNETS.map((subnet) => `aws_autoscaling_group.${zone(subnet)}_autoscaling_group`));
    expect(addressesOf('aws_launch_template')).toEqual(SUBNETS.map((subnet) => `aws_launch_template.${zone(subnet)}_launch_template`));
    for (const subnet of SUBNETS) {
      const group = planned(`aws_autoscaling_group.${zone(subnet)}_autoscaling_group`);
      expect(group).toMatchObject({ name: `${STACK}-agents-${subnet}`, min_size: 1, max_size: config.AutoscalingMaxSize, vpc_zone_identifier: [subnet], health_check_type: 'ELB' });
      expect(group.instance_refresh[0].preferences[0]).toMatchObject({ min_healthy_percentage: 100, max_healthy_percentage: 200 });
      const launchTemplate = planned(`aws_launch_template.${zone(subnet)}_launch_template`);
      expect(launchTemplate.name).toBe(`${STACK}-agent-${subnet}`);
      // The hosts publish their metrics under their own group's name, which that group's policies and alarms read. The
      // plan knows the user data only after apply (it names the bundle bucket), so it is read from the synthesized stack.
      expect(userDataScript(resource(json, 'aws_launch_template', `${zone(subnet)}_launch_template`))).toContain(`TRACEABLE_METRICS_GROUP='${STACK}-agents-${subnet}'`);
    }
    // Shared by the groups: one security group, role and instance profile.
    expect(addressesOf('aws_security_group')).toEqual(['aws_security_group.fleet_security_group', 'aws_security_group.mirror_nlb_security_group']);
    expect(addressesOf('aws_iam_instance_profile')).toEqual(['aws_iam_instance_profile.fleet_instance_profile']);
  });

  test('each group scales and alarms on its own hosts', () => {
    for (const subnet of SUBNETS) {
      const prefix = `${STACK}-${subnet}`;
      const policy = (name: string) => planned(`aws_autoscaling_policy.${zone(subnet)}_${name}`);
      expect(policy('cpu_target_tracking')).toMatchObject({ name: `${prefix}-cpu`, autoscaling_group_name: `${STACK}-agents-${subnet}` });
      expect(policy('memory_target_tracking').name).toBe(`${prefix}-memory`);
      const packets = policy('packets_target_tracking').target_tracking_configuration[0].customized_metric_specification[0];
      expect(packets.metric_dimension).toEqual([{ name: 'AutoScalingGroupName', value: `${STACK}-agents-${subnet}` }]);
      expect(policy('drops_step_scaling')).toMatchObject({ name: `${prefix}-drops`, autoscaling_group_name: `${STACK}-agents-${subnet}` });
      expect(planned(`aws_cloudwatch_metric_alarm.${zone(subnet)}_kernel_drops_alarm`).alarm_name).toBe(`${prefix}-kernel-drops`);
      expect(planned(`aws_cloudwatch_metric_alarm.${zone(subnet)}_feed_send_errors_alarm`).dimensions).toEqual({ AutoScalingGroupName: `${STACK}-agents-${subnet}` });
    }
  });
});

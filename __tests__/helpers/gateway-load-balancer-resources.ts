/**
 * The resources of MirrorTargetType GWLB_ENDPOINT as issue 22's design shapes them, for the
 * permissions tests: a Gateway Load Balancer with its GENEVE target group and listener, its endpoint service (allowed
 * principals inline and as resources), and per subnet a GatewayLoadBalancer endpoint and a traffic mirror target on
 * it. Added under `gwlb_fixture_*` names to a synthesized stack, so that the table's rows are exercised whether or not
 * the stack synthesizes them itself (and next to the ones it synthesizes once it does).
 */
import type { TerraformJson } from '../../scripts/permissions/policies';

type Resources = NonNullable<TerraformJson['resource']>;
export interface FixtureEndpointVpc {
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
}

const PREFIX = 'gwlb_fixture';

/** Per (VPC, subnet): the endpoint toward `serviceName` and the traffic mirror target on it. */
function endpointsAndTargets(stack: string, serviceName: string, endpoints: readonly FixtureEndpointVpc[]): Resources {
  const pairs = endpoints.flatMap(({ vpcId, subnetIds }) => subnetIds.map((subnetId) => ({ vpcId, subnetId, id: `${PREFIX}_${vpcId}_${subnetId}`.replace(/-/g, '_') })));
  return {
    aws_vpc_endpoint: Object.fromEntries(
      pairs.map(({ vpcId, subnetId, id }) => [
        id,
        { vpc_id: vpcId, subnet_ids: [subnetId], vpc_endpoint_type: 'GatewayLoadBalancer', service_name: serviceName, tags: { Name: `${stack}-${vpcId}-${subnetId}` } },
      ]),
    ),
    aws_ec2_traffic_mirror_target: Object.fromEntries(
      pairs.map(({ vpcId, subnetId, id }) => [
        id,
        { gateway_load_balancer_endpoint_id: `\${aws_vpc_endpoint.${id}.id}`, description: `${stack}: GWLB endpoint in ${vpcId} ${subnetId}`, tags: { Name: `${stack}-${vpcId}-${subnetId}` } },
      ]),
    ),
  };
}

/** The collector's side: the GWLB in `subnetIds` of `vpcId`, its service allowed to `principals`, its own VPCs' endpoints. */
export function collectorGatewayLoadBalancer(
  stack: string,
  settings: { vpcId: string; subnetIds: readonly string[]; principals: readonly string[]; endpoints: readonly FixtureEndpointVpc[] },
): Resources {
  const [inline, ...separate] = settings.principals;
  return {
    aws_lb: { [PREFIX]: { name: `${stack}-gwlb`, load_balancer_type: 'gateway', subnets: settings.subnetIds, enable_cross_zone_load_balancing: false } },
    aws_lb_target_group: {
      [PREFIX]: {
        name: `${stack}-geneve`,
        protocol: 'GENEVE',
        port: 6081,
        vpc_id: settings.vpcId,
        target_type: 'instance',
        health_check: { protocol: 'HTTP', port: '8080', path: '/health' },
        stickiness: { enabled: true, type: 'source_ip_dest_ip' },
      },
    },
    aws_lb_listener: {
      [PREFIX]: { load_balancer_arn: `\${aws_lb.${PREFIX}.arn}`, default_action: [{ type: 'forward', target_group_arn: `\${aws_lb_target_group.${PREFIX}.arn}` }] },
    },
    aws_vpc_endpoint_service: {
      [PREFIX]: { acceptance_required: false, gateway_load_balancer_arns: [`\${aws_lb.${PREFIX}.arn}`], allowed_principals: [inline], tags: { Name: stack } },
    },
    aws_vpc_endpoint_service_allowed_principal: Object.fromEntries(
      separate.map((principal, index) => [`${PREFIX}_${index}`, { vpc_endpoint_service_id: `\${aws_vpc_endpoint_service.${PREFIX}.id}`, principal_arn: principal }]),
    ),
    ...endpointsAndTargets(stack, `\${aws_vpc_endpoint_service.${PREFIX}.service_name}`, settings.endpoints),
  };
}

/** A source account's side: its endpoints toward the collector's service (the stack's variable) and their targets. */
export function sourceGatewayLoadBalancerEndpoints(stack: string, endpoints: readonly FixtureEndpointVpc[]): Resources {
  return endpointsAndTargets(stack, '${var.endpoint_service_name}', endpoints);
}

/** `json` with `added` merged in per type (the stack's own resources of a type are kept). */
export function withResources<T extends TerraformJson>(json: T, added: Resources): T {
  const resource: Resources = { ...json.resource };
  for (const [type, byName] of Object.entries(added)) resource[type] = { ...resource[type], ...byName };
  return { ...json, resource };
}

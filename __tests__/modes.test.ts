/**
 * Synth assertions for the deployment modes: the agent fleet on ECS (DeployTraceableAgentInECS), FARGATE sources
 * through a Route53 private name, and MANUAL sessions.
 */
import { gunzipSync } from 'node:zlib';
import { BUNDLE_BUCKET_PLACEHOLDER, bootstrapBundle, bootstrapFiles, renderEcsUserData, renderUnpackScript } from '../bootstrap';
import { bootstrapPropsOf } from '../plan';
import { FLEET_ADDRESSES } from './helpers/fleet-addresses';
import { configOf, resource, resourceAddresses, synthConfig, userDataScript, type TerraformJson } from './helpers/synth';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:traceable/token-AbCdEf';
const FARGATE = { MirrorSourceType: 'FARGATE', MirrorSource: '' } as const;
const MANUAL = { MirrorSourceType: 'MANUAL', MirrorSource: '' } as const;

/** The resource name part of addresses, for prefix checks. */
const names = (json: TerraformJson) => resourceAddresses(json).map((address) => address.slice(address.indexOf('.') + 1));

 
type ContainerDefinition = Record<string, any>;
function containers(json: TerraformJson): Record<string, ContainerDefinition> {
  const definitions = JSON.parse(resource(json, 'aws_ecs_task_definition', 'ecs_fleet_task_definition').container_definitions) as ContainerDefinition[];
  return Object.fromEntries(definitions.map((definition) => [definition.name, definition]));
}
const environmentOf = (container: ContainerDefinition) =>
  Object.fromEntries((container.environment as { name: string; value: string }[]).map(({ name, value }) => [name, value]));

describe('agent fleet on ECS (DeployTraceableAgentInECS)', () => {
  const ECS = { DeployTraceableAgentInECS: true, AutoscalingMaxSize: 5, AutoscalingTargetValue: 60, InstanceType: 'c5.2xlarge' };
  const { json } = synthConfig(ECS);

  test('replaces the EC2 fleet: every ecs_fleet resource, no fleet_ resource', () => {
    const addresses = resourceAddresses(json);
    expect(addresses.filter((address) => address.includes('.ecs_fleet_'))).toEqual([...FLEET_ADDRESSES.ecs].sort());
    expect(names(json).filter((name) => name.startsWith('fleet_'))).toEqual([]);
  });

  test('hosts: ECS-optimized Amazon Linux 2023 via resolve:ssm, IMDSv2 only, encrypted gp3 root, joining the cluster', () => {
    const launchTemplate = resource(json, 'aws_launch_template', 'ecs_fleet_launch_template');
    expect(launchTemplate).toMatchObject({
      image_id: 'resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id',
      instance_type: 'c5.2xlarge',
      iam_instance_profile: { arn: '${aws_iam_instance_profile.ecs_fleet_instance_profile.arn}' },
      vpc_security_group_ids: ['${aws_security_group.ecs_fleet_security_group.id}'],
      metadata_options: { http_endpoint: 'enabled', http_tokens: 'required', http_put_response_hop_limit: 1 },
      block_device_mappings: [{ device_name: '/dev/xvda', ebs: { volume_type: 'gp3', encrypted: 'true', delete_on_termination: 'true', volume_size: 30 } }],
    });
    expect(launchTemplate.key_name).toBeUndefined();
    const script = userDataScript(launchTemplate);
    expect(script).toBe(renderEcsUserData('traffic-mirroring-agents', bootstrapPropsOf(configOf(ECS)), bootstrapBundle('ecs')));
    // The same settings file as the EC2 hosts (their scripts source it): the secret by its name, no token.
    expect(script).toContain("TRACEABLE_TOKEN_SECRET_ARN='traffic-mirroring/traceable-refresh-token'\n");
    expect(script).toContain("TRACEABLE_AGENT_IMAGE='traceableai/traceable-agent:1.71.2'\n");
    expect(script).not.toMatch(/TA_REFRESH_TOKEN=|refresh_token\s*[=:]/);
    expect(script).toContain(
      ["cat >> /etc/ecs/ecs.config <<'ECS_CONFIG_END'", 'ECS_CLUSTER=traffic-mirroring-agents', 'ECS_ENABLE_TASK_IAM_ROLE_NETWORK_HOST=true', 'ECS_CONFIG_END'].join('\n'),
    );
  });

  test('hosts: the bootstrap files installed, metadata rejected for task containers before the ECS agent starts, logs rotated', () => {
    const script = userDataScript(resource(json, 'aws_launch_template', 'ecs_fleet_launch_template'));
    // The ECS hosts' files, byte for byte: the task runs the same health.py and metrics.py as the EC2 hosts.
    expect(bootstrapFiles('ecs').map((file) => file.path)).toEqual(expect.arrayContaining(['/opt/traceable/bin/health.py', '/opt/traceable/bin/metrics.py', '/opt/traceable/bin/suricata-start.sh']));
    // The hosts, not the task, read the token: token.sh, agent-command.sh and the wrapper the agent container runs.
    expect(bootstrapFiles('ecs').map((file) => file.path)).toEqual(
      expect.arrayContaining(['/opt/traceable/bin/token.sh', '/opt/traceable/bin/agent-command.sh', '/opt/traceable/bin/agent-entrypoint.sh']),
    );
    expect(bootstrapFiles('ecs').some((file) => file.path.endsWith('/agent-run.sh'))).toBe(false);
    // They travel in the ECS fleet's bundle, which the user data fetches as the EC2 hosts' does.
    const bundle = bootstrapBundle('ecs');
    expect(gunzipSync(bundle.gzip).toString('utf8')).toBe(renderUnpackScript(bootstrapFiles('ecs')));
    expect(script).toContain(`fetch-bundle.sh eu-west-1 ${BUNDLE_BUCKET_PLACEHOLDER} ${bundle.key} ${bundle.sha256} /opt/traceable/unpack.sh\n`);
    expect(resource(json, 'aws_s3_object', 'ecs_fleet_bootstrap_bundle_object')).toMatchObject({ key: bundle.key, content_base64: bundle.gzip.toString('base64') });
    expect(script).toContain('install -m 0644 /opt/traceable/systemd/ecs/ecs-requires-traceable.conf /etc/systemd/system/ecs.service.d/traceable.conf');
    expect(script).toContain(
      'systemctl start ecstasks.slice\nsystemctl enable --now traceable-ecs-host.service traceable-logrotate.timer traceable-imds-block@ecstasks.slice.timer traceable-cut-fixer.service\n' +
        'systemctl start traceable-agent-files.service || echo "traceable: agent token or command not written (journalctl -u traceable-agent-files); retried every 15 minutes" >&2\n' +
        'systemctl enable --now traceable-agent-files.timer\n',
    );
    const hostUnit = bootstrapFiles().find((file) => file.path.endsWith('/traceable-ecs-host.service'))!.content;
    expect(hostUnit).toContain('ExecStart=/opt/traceable/bin/imds-block.sh ecstasks.slice');
    expect(hostUnit).toContain('Before=ecs.service');
    expect(bootstrapFiles().find((file) => file.path.endsWith('/ecs-requires-traceable.conf'))!.content).toBe(
      '[Unit]\nRequires=traceable-ecs-host.service\nWants=traceable-agent-files.service\nAfter=traceable-ecs-host.service traceable-agent-files.service\n',
    );
  });

  test('a Graviton type takes the arm64 ECS-optimized image', () => {
    const arm = synthConfig({ DeployTraceableAgentInECS: true, InstanceType: 'm7g.xlarge' });
    expect(resource(arm.json, 'aws_launch_template', 'ecs_fleet_launch_template').image_id).toBe(
      'resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id',
    );
  });

  test('autoscaling group rolled by instance refresh, not in the target group (ECS registers the tasks)', () => {
    expect(resource(json, 'aws_autoscaling_group', 'ecs_fleet_autoscaling_group')).toEqual({
      name: 'traffic-mirroring-agents',
      min_size: 1,
      max_size: 5,
      vpc_zone_identifier: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
      health_check_type: 'EC2',
      health_check_grace_period: 600,
      launch_template: { id: '${aws_launch_template.ecs_fleet_launch_template.id}', version: '${aws_launch_template.ecs_fleet_launch_template.latest_version}' },
      instance_refresh: { strategy: 'Rolling', preferences: { min_healthy_percentage: 50, instance_warmup: '300' } },
      tag: [
        { key: 'Name', value: 'traffic-mirroring-agent', propagate_at_launch: true },
        { key: 'AmazonECSManaged', value: 'true', propagate_at_launch: true },
      ],
    });
  });

  test('cluster with a capacity provider on the group, managed scaling and draining', () => {
    expect(resource(json, 'aws_ecs_cluster', 'ecs_fleet_cluster')).toEqual({ name: 'traffic-mirroring-agents' });
    expect(resource(json, 'aws_ecs_capacity_provider', 'ecs_fleet_capacity_provider')).toEqual({
      name: 'traceable-traffic-mirroring',
      auto_scaling_group_provider: {
        auto_scaling_group_arn: '${aws_autoscaling_group.ecs_fleet_autoscaling_group.arn}',
        managed_termination_protection: 'DISABLED',
        managed_draining: 'ENABLED',
        managed_scaling: { status: 'ENABLED', target_capacity: 100, minimum_scaling_step_size: 1, maximum_scaling_step_size: 5 },
      },
    });
    expect(resource(json, 'aws_ecs_cluster_capacity_providers', 'ecs_fleet_cluster_capacity_providers')).toEqual({
      cluster_name: '${aws_ecs_cluster.ecs_fleet_cluster.name}',
      capacity_providers: ['${aws_ecs_capacity_provider.ecs_fleet_capacity_provider.name}'],
      default_capacity_provider_strategy: [{ capacity_provider: '${aws_ecs_capacity_provider.ecs_fleet_capacity_provider.name}', weight: 1, base: 0 }],
    });
  });

  test('service: one task per instance, registered with the NLB target group on UDP 4789 by ECS', () => {
    expect(resource(json, 'aws_ecs_service', 'ecs_fleet_service')).toEqual({
      name: 'traffic-mirroring-agents',
      cluster: '${aws_ecs_cluster.ecs_fleet_cluster.id}',
      task_definition: '${aws_ecs_task_definition.ecs_fleet_task_definition.arn}',
      desired_count: 1,
      capacity_provider_strategy: [{ capacity_provider: '${aws_ecs_capacity_provider.ecs_fleet_capacity_provider.name}', weight: 1, base: 0 }],
      placement_constraints: [{ type: 'distinctInstance' }],
      ordered_placement_strategy: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }],
      load_balancer: [{ target_group_arn: '${aws_lb_target_group.mirror_vxlan_target_group.arn}', container_name: 'suricata', container_port: 4789 }],
      health_check_grace_period_seconds: 300,
      deployment_minimum_healthy_percent: 50,
      deployment_maximum_percent: 200,
      deployment_circuit_breaker: { enable: true, rollback: true },
      lifecycle: { ignore_changes: ['desired_count'] },
      depends_on: ['aws_ecs_cluster_capacity_providers.ecs_fleet_cluster_capacity_providers', 'aws_lb_listener.mirror_vxlan_listener'],
    });
    // The target group stays instance-typed: with host networking the instance is the target.
    expect(resource(json, 'aws_lb_target_group', 'mirror_vxlan_target_group').target_type).toBe('instance');
  });

  test('service autoscaling: 1 to AutoscalingMaxSize tasks, target tracking on CPU and memory at AutoscalingTargetValue', () => {
    expect(resource(json, 'aws_appautoscaling_target', 'ecs_fleet_scaling_target')).toEqual({
      service_namespace: 'ecs',
      resource_id: 'service/${aws_ecs_cluster.ecs_fleet_cluster.name}/${aws_ecs_service.ecs_fleet_service.name}',
      scalable_dimension: 'ecs:service:DesiredCount',
      min_capacity: 1,
      max_capacity: 5,
    });
    for (const [name, metric] of [['cpu', 'ECSServiceAverageCPUUtilization'], ['memory', 'ECSServiceAverageMemoryUtilization']]) {
      expect(resource(json, 'aws_appautoscaling_policy', `ecs_fleet_${name}_target_tracking`)).toEqual({
        name: `traffic-mirroring-${name}`,
        policy_type: 'TargetTrackingScaling',
        service_namespace: '${aws_appautoscaling_target.ecs_fleet_scaling_target.service_namespace}',
        resource_id: '${aws_appautoscaling_target.ecs_fleet_scaling_target.resource_id}',
        scalable_dimension: '${aws_appautoscaling_target.ecs_fleet_scaling_target.scalable_dimension}',
        target_tracking_scaling_policy_configuration: {
          predefined_metric_specification: { predefined_metric_type: metric },
          target_value: 60,
          scale_out_cooldown: 60,
          scale_in_cooldown: 300,
        },
      });
    }
  });

  test('service autoscaling on the hosts\' own load and loss: packets per host and a step out on kernel drops', () => {
    const target = {
      service_namespace: '${aws_appautoscaling_target.ecs_fleet_scaling_target.service_namespace}',
      resource_id: '${aws_appautoscaling_target.ecs_fleet_scaling_target.resource_id}',
      scalable_dimension: '${aws_appautoscaling_target.ecs_fleet_scaling_target.scalable_dimension}',
    };
    expect(resource(json, 'aws_appautoscaling_policy', 'ecs_fleet_packets_target_tracking')).toEqual({
      name: 'traffic-mirroring-packets',
      policy_type: 'TargetTrackingScaling',
      ...target,
      target_tracking_scaling_policy_configuration: {
        customized_metric_specification: {
          namespace: 'Traceable/TrafficMirroring',
          metric_name: 'KernelPackets',
          statistic: 'Average',
          dimensions: [{ name: 'AutoScalingGroupName', value: 'traffic-mirroring-agents' }],
        },
        target_value: 3000000,
        scale_out_cooldown: 60,
        scale_in_cooldown: 300,
      },
    });
    expect(resource(json, 'aws_appautoscaling_policy', 'ecs_fleet_drops_step_scaling')).toEqual({
      name: 'traffic-mirroring-drops',
      policy_type: 'StepScaling',
      ...target,
      step_scaling_policy_configuration: {
        adjustment_type: 'ChangeInCapacity',
        cooldown: 300,
        metric_aggregation_type: 'Average',
        step_adjustment: [{ metric_interval_lower_bound: '0', scaling_adjustment: 1 }],
      },
    });
    const drops = resource(json, 'aws_cloudwatch_metric_alarm', 'ecs_fleet_kernel_drops_alarm');
    expect(drops.alarm_actions).toEqual(['${aws_sns_topic.alarms_topic.arn}', '${aws_appautoscaling_policy.ecs_fleet_drops_step_scaling.arn}']);
    expect(drops.metric_query[2]).toEqual({ id: 'drop_percent', expression: 'IF(packets > 0, 100 * drops / packets, 0)', label: 'Kernel drops (% of packets)', return_data: true });
    expect(drops.metric_query[0].metric.dimensions).toEqual({ AutoScalingGroupName: 'traffic-mirroring-agents' });
    expect(resource(json, 'aws_cloudwatch_metric_alarm', 'ecs_fleet_feed_send_errors_alarm').metric_name).toBe('FeedSendErrors');
  });

  test('task definition: host networking on EC2, its own execution and task roles, Suricata logs on the host', () => {
    const { container_definitions: _containers, ...taskDefinition } = resource(json, 'aws_ecs_task_definition', 'ecs_fleet_task_definition');
    expect(taskDefinition).toEqual({
      family: 'traffic-mirroring-agent',
      requires_compatibilities: ['EC2'],
      network_mode: 'host',
      cpu: '3072',
      memory: '6144',
      execution_role_arn: '${aws_iam_role.ecs_fleet_execution_role.arn}',
      task_role_arn: '${aws_iam_role.ecs_fleet_task_role.arn}',
      // No pid_mode: no container shares a PID namespace with the agent, so none reads its environment (the token).
      volume: [
        { name: 'suricata-logs', host_path: '/var/traceable/log/suricata' },
        { name: 'traceable-home', host_path: '/opt/traceable' },
        { name: 'traceable-feed', host_path: '/run/traceable-feed' },
        { name: 'traceable-agent-files', host_path: '/run/traceable/agent' },
      ],
    });
  });

  test('containers: Suricata, the agent through the token wrapper, health and metrics, from the bootstrap files', () => {
    const { suricata, traceable, health, metrics } = containers(json);
    const logsTo = (prefix: string) => ({
      logDriver: 'awslogs',
      options: { 'awslogs-group': '${aws_cloudwatch_log_group.ecs_fleet_log_group.name}', 'awslogs-region': 'eu-west-1', 'awslogs-stream-prefix': prefix },
    });
    const logs = (readOnly: boolean) => ({ sourceVolume: 'suricata-logs', containerPath: '/var/log/suricata', readOnly });
    const home = { sourceVolume: 'traceable-home', containerPath: '/opt/traceable', readOnly: true };
    const feed = { sourceVolume: 'traceable-feed', containerPath: '/run/traceable-feed', readOnly: false };
    expect(Object.keys(containers(json))).toEqual(['suricata', 'traceable', 'health', 'metrics']);

    expect(suricata).toEqual({
      name: 'suricata',
      image: 'jasonish/suricata:7.0.10',
      essential: true,
      entryPoint: ['/bin/sh', '/opt/traceable/bin/suricata-start.sh'],
      // The feed settings of the data plane contract, as the EC2 hosts' suricata.service passes them.
      environment: [
        { name: 'TRACEABLE_FEED_MODE', value: 'socket' },
        { name: 'TRACEABLE_FEED_PATH', value: '/run/traceable-feed/eve.sock' },
        { name: 'TRACEABLE_HTTP_BODY_LIMIT', value: '131072' },
      ],
      portMappings: [{ containerPort: 4789, hostPort: 4789, protocol: 'udp' }],
      // The af-packet socket and its locked ring only (no NET_ADMIN); the configuration for the interface on a tmpfs.
      readonlyRootFilesystem: true,
      dockerSecurityOptions: ['no-new-privileges'],
      linuxParameters: {
        capabilities: { drop: ['ALL'], add: ['NET_RAW', 'IPC_LOCK'] },
        tmpfs: [{ containerPath: '/etc/traceable/suricata', size: 1, mountOptions: ['nosuid', 'nodev', 'noexec'] }],
      },
      mountPoints: [logs(false), home, feed],
      logConfiguration: logsTo('suricata'),
    });

    expect(traceable).toEqual({
      name: 'traceable',
      image: 'traceableai/traceable-agent:1.71.2',
      essential: true,
      // The wrapper with the token file and its variable, and no command: it execs the image's own, from the file
      // the host wrote beside the token.
      entryPoint: ['/bin/sh', '/opt/traceable/bin/agent-entrypoint.sh', '/run/secrets/traceable/refresh-token', 'TA_REFRESH_TOKEN'],
      environment: [
        { name: 'TA_ENVIRONMENT', value: 'staging' },
        { name: 'TA_SERVICE_NAME', value: 'checkout' },
        { name: 'TA_REMOTE_ENDPOINT', value: 'api.traceable.ai' },
        { name: 'TA_SURICATA_EVE_FILE', value: '/run/traceable-feed/eve.sock' },
      ],
      // No capability at all; a scratch tmpfs.
      readonlyRootFilesystem: true,
      dockerSecurityOptions: ['no-new-privileges'],
      linuxParameters: { capabilities: { drop: ['ALL'] }, tmpfs: [{ containerPath: '/tmp', size: 64, mountOptions: ['nosuid', 'nodev'] }] },
      // No `secrets`, no token in the environment: the token and the command are files, mounted read-only.
      mountPoints: [logs(true), feed, home, { sourceVolume: 'traceable-agent-files', containerPath: '/run/secrets/traceable', readOnly: true }],
      dependsOn: [{ containerName: 'suricata', condition: 'START' }],
      logConfiguration: logsTo('traceable'),
    });

    expect(health).toEqual({
      name: 'health',
      image: 'jasonish/suricata:7.0.10',
      essential: true,
      entryPoint: ['python3', '/opt/traceable/bin/health.py'],
      environment: [
        { name: 'TRACEABLE_HEALTH_PORT', value: '8089' },
        { name: 'TRACEABLE_HEALTH_PATH', value: '/healthz' },
        { name: 'TRACEABLE_HEALTH_SUPERVISOR', value: 'ecs' },
        { name: 'TRACEABLE_SURICATA_LOG_DIR', value: '/var/log/suricata' },
        { name: 'TRACEABLE_FEED_MODE', value: 'socket' },
        { name: 'TRACEABLE_FEED_PATH', value: '/run/traceable-feed/eve.sock' },
        { name: 'TRACEABLE_HTTP_BODY_LIMIT', value: '131072' },
      ],
      portMappings: [{ containerPort: 8089, hostPort: 8089, protocol: 'tcp' }],
      readonlyRootFilesystem: true,
      dockerSecurityOptions: ['no-new-privileges'],
      linuxParameters: { capabilities: { drop: ['ALL'] } },
      mountPoints: [logs(false), home, feed],
      dependsOn: [
        { containerName: 'suricata', condition: 'START' },
        { containerName: 'traceable', condition: 'START' },
      ],
      logConfiguration: logsTo('health'),
    });

    expect(metrics).toEqual({
      name: 'metrics',
      image: 'jasonish/suricata:7.0.10',
      essential: false,
      entryPoint: ['python3', '/opt/traceable/bin/metrics.py'],
      environment: [
        { name: 'TRACEABLE_METRICS_NAMESPACE', value: 'Traceable/TrafficMirroring' },
        { name: 'TRACEABLE_METRICS_GROUP_DIMENSION', value: 'AutoScalingGroupName' },
        { name: 'TRACEABLE_METRICS_GROUP', value: 'traffic-mirroring-agents' },
        { name: 'TRACEABLE_METRICS_INTERVAL', value: '60' },
        { name: 'TRACEABLE_METRICS_SINK', value: 'stdout' },
        { name: 'TRACEABLE_METRICS_STATE', value: '/run/traceable-feed/.metrics-state.json' },
        { name: 'TRACEABLE_STATS_FILE', value: '/var/log/suricata/stats.json' },
        { name: 'TRACEABLE_FEED_DIR', value: '/run/traceable-feed' },
      ],
      readonlyRootFilesystem: true,
      dockerSecurityOptions: ['no-new-privileges'],
      linuxParameters: { capabilities: { drop: ['ALL'] } },
      mountPoints: [logs(true), home, feed],
      dependsOn: [{ containerName: 'suricata', condition: 'START' }],
      logConfiguration: logsTo('metrics'),
    });
  });

  test('the configuration keys of the agent reach the task as they reach the EC2 user data', () => {
    const custom = synthConfig({
      DeployTraceableAgentInECS: true,
      TraceableAgentImage: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/traceable-agent:1.72.0',
      TraceableAPIEndpoint: 'api.eu.traceable.ai',
      TraceableRefreshTokenSecretArn: SECRET_ARN,
    });
    const { traceable } = containers(custom.json);
    expect(traceable.image).toBe('123456789012.dkr.ecr.eu-west-1.amazonaws.com/traceable-agent:1.72.0');
    expect(environmentOf(traceable).TA_REMOTE_ENDPOINT).toBe('api.eu.traceable.ai');
    expect(traceable.secrets).toBeUndefined();
    expect(JSON.stringify(custom.json)).not.toContain('aws_secretsmanager_secret.');
    // The hosts read the given secret by its ARN, with the instance role.
    expect(userDataScript(resource(custom.json, 'aws_launch_template', 'ecs_fleet_launch_template'))).toContain(`TRACEABLE_TOKEN_SECRET_ARN='${SECRET_ARN}'\n`);
    expect(resource(custom.json, 'aws_iam_role_policy', 'ecs_fleet_read_token_secret').policy).toBe(
      `\${jsonencode({"Version" = "2012-10-17", "Statement" = [{"Sid" = "ReadRefreshToken", "Effect" = "Allow", "Action" = "secretsmanager:GetSecretValue", "Resource" = "${SECRET_ARN}"}]})}`,
    );
    // The agent image is in private ECR: the execution role may pull exactly that repository.
    expect(resource(custom.json, 'aws_iam_role_policy', 'ecs_fleet_execution_role_policy').policy).toContain(
      '{"Sid" = "EcrLogin", "Effect" = "Allow", "Action" = "ecr:GetAuthorizationToken", "Resource" = "*"}, ' +
        '{"Sid" = "PullAgentImages", "Effect" = "Allow", "Action" = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], ' +
        '"Resource" = ["arn:aws:ecr:eu-west-1:123456789012:repository/traceable-agent"]}]})}',
    );
  });

  test('instance role reads exactly the token secret; execution role writes to its log group only; task role: no permissions', () => {
    const trust = [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }];
    expect(JSON.parse(resource(json, 'aws_iam_role', 'ecs_fleet_execution_role').assume_role_policy).Statement).toEqual(trust);
    expect(JSON.parse(resource(json, 'aws_iam_role', 'ecs_fleet_task_role').assume_role_policy).Statement).toEqual(trust);
    expect(resource(json, 'aws_iam_role_policy', 'ecs_fleet_execution_role_policy')).toEqual({
      name: 'read-token-write-logs',
      role: '${aws_iam_role.ecs_fleet_execution_role.id}',
      policy:
        '${jsonencode({"Version" = "2012-10-17", "Statement" = [' +
        '{"Sid" = "WriteContainerLogs", "Effect" = "Allow", "Action" = ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource" = "${aws_cloudwatch_log_group.ecs_fleet_log_group.arn}:*"}]})}',
    });
    expect(resource(json, 'aws_iam_role_policy', 'ecs_fleet_read_token_secret')).toEqual({
      name: 'read-traceable-refresh-token',
      role: '${aws_iam_role.ecs_fleet_role.id}',
      policy:
        '${jsonencode({"Version" = "2012-10-17", "Statement" = [' +
        '{"Sid" = "ReadRefreshToken", "Effect" = "Allow", "Action" = "secretsmanager:GetSecretValue", "Resource" = aws_secretsmanager_secret.token_secret.arn}]})}',
    });
    // Of the agent side (the session Lambda has its own role), by address: the instance role's read of the bootstrap
    // bundle (asserted in bootstrap-bundle.test.ts), the execution role's, the instance role's read of the token secret.
    const policies = Object.values(json.resource.aws_iam_role_policy).map((policy) => policy.role as string);
    expect(policies.filter((role) => !role.startsWith('${aws_iam_role.sessions_'))).toEqual([
      '${aws_iam_role.ecs_fleet_role.id}',
      '${aws_iam_role.ecs_fleet_execution_role.id}',
      '${aws_iam_role.ecs_fleet_role.id}',
    ]);
    const attachments = Object.values(json.resource.aws_iam_role_policy_attachment)
      .filter((attachment) => attachment.role.includes('ecs_fleet'))
      .map((attachment) => [attachment.role, attachment.policy_arn]);
    expect(attachments).toEqual([
      ['${aws_iam_role.ecs_fleet_role.name}', 'arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role'],
      ['${aws_iam_role.ecs_fleet_role.name}', 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore'],
    ]);
    expect(resource(json, 'aws_cloudwatch_log_group', 'ecs_fleet_log_group')).toEqual({ name: '/traceable/traffic-mirroring/agents', retention_in_days: 30 });
  });

  test('the NLB reaches the ECS hosts on VXLAN and the health port only; the hosts leave on HTTPS and HTTP only', () => {
    const ingress = Object.values(json.resource.aws_vpc_security_group_ingress_rule)
      .filter((rule) => rule.security_group_id === '${aws_security_group.ecs_fleet_security_group.id}')
      .map((rule) => [rule.ip_protocol, rule.from_port, rule.referenced_security_group_id]);
    expect(ingress).toEqual([
      ['tcp', 8089, '${aws_security_group.mirror_nlb_security_group.id}'],
      ['udp', 4789, '${aws_security_group.mirror_nlb_security_group.id}'],
    ]);
    const egress = Object.values(json.resource.aws_vpc_security_group_egress_rule)
      .filter((rule) => rule.security_group_id === '${aws_security_group.ecs_fleet_security_group.id}')
      .map((rule) => [rule.ip_protocol, rule.from_port, rule.cidr_ipv4]);
    expect(egress).toEqual([
      ['tcp', 80, '0.0.0.0/0'],
      ['tcp', 443, '0.0.0.0/0'],
    ]);
  });

  test('outputs name the cluster, the service and the group', () => {
    expect(json.output.ecs_cluster_name.value).toBe('${aws_ecs_cluster.ecs_fleet_cluster.name}');
    expect(json.output.ecs_service_name.value).toBe('${aws_ecs_service.ecs_fleet_service.name}');
    expect(json.output.autoscaling_group_name.value).toBe('${aws_autoscaling_group.ecs_fleet_autoscaling_group.name}');
  });

  test('the EC2 fleet (default) has no ECS resource and no ECS output', () => {
    const ec2 = synthConfig();
    expect(names(ec2.json).filter((name) => name.startsWith('ecs_fleet_'))).toEqual([]);
    expect(Object.keys(ec2.json.resource).filter((type) => type.startsWith('aws_ecs_') || type.startsWith('aws_appautoscaling_'))).toEqual([]);
    expect(ec2.json.output.ecs_cluster_name).toBeUndefined();
  });
});

describe('MirrorSourceType FARGATE', () => {
  const { json } = synthConfig({ ...FARGATE, MirrorSourceVpcId: 'vpc-0aaaaaaaaaaaaaaa1,vpc-0aaaaaaaaaaaaaaa2', MirrorSourceCidrs: '10.20.0.0/16,10.30.0.0/16' });

  test('a private zone associated with VpcId and each MirrorSourceVpcId', () => {
    expect(resource(json, 'aws_route53_zone', 'fargate_dns_zone')).toEqual({
      name: 'private.traceable.ai',
      comment: 'Traceable traffic mirroring: private name of the mirror target NLB for Fargate packet forwarders',
      vpc: [{ vpc_id: 'vpc-0123456789abcdef0' }, { vpc_id: 'vpc-0aaaaaaaaaaaaaaa1' }, { vpc_id: 'vpc-0aaaaaaaaaaaaaaa2' }],
    });
  });

  test('an alias A record for the NLB, following its health', () => {
    expect(resource(json, 'aws_route53_record', 'fargate_dns_record')).toEqual({
      zone_id: '${aws_route53_zone.fargate_dns_zone.zone_id}',
      name: 'mirroring-fargate',
      type: 'A',
      alias: { name: '${aws_lb.mirror_nlb.dns_name}', zone_id: '${aws_lb.mirror_nlb.zone_id}', evaluate_target_health: true },
    });
  });

  test('with Route53ZoneId only the record is created, in that zone, under Route53SubdomainName', () => {
    const existing = synthConfig({ ...FARGATE, Route53ZoneId: 'Z0123456789ABCDEFGHIJ', Route53SubdomainName: 'traceable-mirror' });
    expect(existing.json.resource.aws_route53_zone).toBeUndefined();
    expect(resource(existing.json, 'aws_route53_record', 'fargate_dns_record')).toMatchObject({ zone_id: 'Z0123456789ABCDEFGHIJ', name: 'traceable-mirror' });
  });

  test('Route53ZoneName names the created zone', () => {
    const named = synthConfig({ ...FARGATE, Route53ZoneName: 'mirror.internal.example.com' });
    expect(resource(named.json, 'aws_route53_zone', 'fargate_dns_zone').name).toBe('mirror.internal.example.com');
  });

  test("the NLB admits the sidecars' VXLAN from exactly the mirrored networks", () => {
    const fromSources = Object.values(json.resource.aws_vpc_security_group_ingress_rule)
      .filter((rule) => rule.security_group_id === '${aws_security_group.mirror_nlb_security_group.id}')
      .map((rule) => [rule.ip_protocol, rule.from_port, rule.to_port, rule.cidr_ipv4]);
    expect(fromSources).toEqual([
      ['udp', 4789, 4789, '10.20.0.0/16'],
      ['udp', 4789, 4789, '10.30.0.0/16'],
    ]);
  });

  test('no session Lambda and no sessions', () => {
    expect(names(json).filter((name) => name.startsWith('sessions_'))).toEqual([]);
    expect(Object.keys(json.resource).filter((type) => type.startsWith('aws_lambda_'))).toEqual([]);
  });

  test('outputs: the full name, and a sidecar container definition sending VXLAN to it', () => {
    expect(json.output.fargate_target_fqdn.value).toBe('${aws_route53_record.fargate_dns_record.fqdn}');
    expect(JSON.parse(json.output.fargate_sidecar_container_definition.value)).toEqual({
      name: 'traceable-packet-forwarder',
      image: '<PACKET_FORWARDER_IMAGE>',
      essential: false,
      environment: [
        { name: 'MIRROR_TARGET_HOST', value: '${aws_route53_record.fargate_dns_record.fqdn}' },
        { name: 'MIRROR_TARGET_PORT', value: '4789' },
        { name: 'MIRROR_ENCAPSULATION', value: 'VXLAN' },
      ],
    });
    expect(json.output.example_mirror_session_command).toBeUndefined();
  });

  test('FargatePacketForwarderImage fills the image of the sidecar snippet', () => {
    const withImage = synthConfig({ ...FARGATE, FargatePacketForwarderImage: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/forwarder:2.1' });
    expect(JSON.parse(withImage.json.output.fargate_sidecar_container_definition.value).image).toBe('123456789012.dkr.ecr.eu-west-1.amazonaws.com/forwarder:2.1');
  });

  test('other source types have no Route53 resource and no FARGATE output', () => {
    for (const overrides of [{}, MANUAL]) {
      const other = synthConfig(overrides);
      expect(Object.keys(other.json.resource).filter((type) => type.startsWith('aws_route53_'))).toEqual([]);
      expect(Object.keys(other.json.output).filter((name) => name.startsWith('fargate_'))).toEqual([]);
    }
  });
});

describe('MirrorSourceType MANUAL', () => {
  const { json } = synthConfig({ ...MANUAL, Region: 'us-east-2' });

  test('fleet, NLB, mirror target and filter only: no session Lambda, no Route53', () => {
    expect(names(json).filter((name) => name.startsWith('sessions_') || name.startsWith('fargate_dns_'))).toEqual([]);
    expect(resourceAddresses(json)).toEqual(expect.arrayContaining(['aws_ec2_traffic_mirror_target.mirror_mirror_target', 'aws_ec2_traffic_mirror_filter.mirror_mirror_filter']));
  });

  test('outputs the target and filter IDs and a ready create-traffic-mirror-session command using them', () => {
    expect(json.output.mirror_target_id.value).toBe('${aws_ec2_traffic_mirror_target.mirror_mirror_target.id}');
    expect(json.output.mirror_filter_id.value).toBe('${aws_ec2_traffic_mirror_filter.mirror_mirror_filter.id}');
    expect(json.output.example_mirror_session_command).toEqual({
      value:
        'aws ec2 create-traffic-mirror-session --region us-east-2 --network-interface-id <eni-id> ' +
        '--traffic-mirror-target-id ${aws_ec2_traffic_mirror_target.mirror_mirror_target.id} ' +
        '--traffic-mirror-filter-id ${aws_ec2_traffic_mirror_filter.mirror_mirror_filter.id} --session-number 1',
      description: 'Mirrors one network interface (replace <eni-id>) to the target with the filter',
    });
  });

  test('source types with sessions have the session Lambda and no example command', () => {
    const sessions = synthConfig();
    expect(names(sessions.json).filter((name) => name.startsWith('sessions_')).length).toBeGreaterThan(0);
    expect(sessions.json.output.example_mirror_session_command).toBeUndefined();
  });
});

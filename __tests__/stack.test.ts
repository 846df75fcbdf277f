/**
 * Synth assertions for the core stack: the mirror target, the EC2 agent fleet, the token secret and the outputs.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrapBundle, renderUserData } from '../bootstrap';
import { bootstrapPropsOf } from '../plan';
import { BASE_CONFIG, configOf, resource, snapshot, synthConfig, userDataOf, userDataScript } from './helpers/synth';

const ASG = 'fleet_autoscaling_group';

describe('mirror target', () => {
  const { json } = synthConfig({ MirrorSourceCidrs: '10.20.0.0/16,10.30.0.0/16' });

  test('an internal network load balancer over the subnets, cross-zone, with its own security group', () => {
    expect(resource(json, 'aws_lb', 'mirror_nlb')).toEqual({
      name: 'traffic-mirroring-nlb',
      load_balancer_type: 'network',
      internal: true,
      subnets: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
      security_groups: ['${aws_security_group.mirror_nlb_security_group.id}'],
      enable_cross_zone_load_balancing: true,
    });
  });

  test('UDP 4789 listener forwarding to a UDP target group health-checked over HTTP on the agent port', () => {
    expect(resource(json, 'aws_lb_listener', 'mirror_vxlan_listener')).toEqual({
      load_balancer_arn: '${aws_lb.mirror_nlb.arn}',
      port: 4789,
      protocol: 'UDP',
      default_action: [{ type: 'forward', target_group_arn: '${aws_lb_target_group.mirror_vxlan_target_group.arn}' }],
    });
    expect(resource(json, 'aws_lb_target_group', 'mirror_vxlan_target_group')).toMatchObject({
      port: 4789,
      protocol: 'UDP',
      target_type: 'instance',
      vpc_id: 'vpc-0123456789abcdef0',
      health_check: { protocol: 'HTTP', port: '8089', path: '/healthz', matcher: '200' },
    });
  });

  test('flow affinity: source-IP stickiness, so every packet of one mirrored interface reaches the same agent', () => {
    expect(resource(json, 'aws_lb_target_group', 'mirror_vxlan_target_group').stickiness).toEqual({ enabled: true, type: 'source_ip' });
  });

  test('the NLB is the traffic mirror target, and the filter accepts TCP both ways without Amazon DNS', () => {
    expect(resource(json, 'aws_ec2_traffic_mirror_target', 'mirror_mirror_target').network_load_balancer_arn).toBe('${aws_lb.mirror_nlb.arn}');
    expect(resource(json, 'aws_ec2_traffic_mirror_filter', 'mirror_mirror_filter').network_services).toEqual(['amazon-dns']);
    for (const direction of ['ingress', 'egress']) {
      expect(resource(json, 'aws_ec2_traffic_mirror_filter_rule', `mirror_accept_tcp_${direction}`)).toEqual({
        traffic_mirror_filter_id: '${aws_ec2_traffic_mirror_filter.mirror_mirror_filter.id}',
        description: `Accept all TCP (${direction})`,
        traffic_direction: direction,
        rule_number: 100,
        rule_action: 'accept',
        protocol: 6,
        source_cidr_block: '0.0.0.0/0',
        destination_cidr_block: '0.0.0.0/0',
      });
    }
  });

  test('VXLAN reaches the NLB only from the mirrored networks; the fleet admits only the NLB; no SSH anywhere', () => {
    const ingress = json.resource.aws_vpc_security_group_ingress_rule;
    const rules = Object.values(ingress).map((rule) => ({
      group: rule.security_group_id,
      protocol: rule.ip_protocol,
      port: rule.from_port,
      from: rule.cidr_ipv4 ?? rule.referenced_security_group_id,
    }));
    expect(rules).toEqual(
      expect.arrayContaining([
        { group: '${aws_security_group.mirror_nlb_security_group.id}', protocol: 'udp', port: 4789, from: '10.20.0.0/16' },
        { group: '${aws_security_group.mirror_nlb_security_group.id}', protocol: 'udp', port: 4789, from: '10.30.0.0/16' },
        { group: '${aws_security_group.fleet_security_group.id}', protocol: 'udp', port: 4789, from: '${aws_security_group.mirror_nlb_security_group.id}' },
        { group: '${aws_security_group.fleet_security_group.id}', protocol: 'tcp', port: 8089, from: '${aws_security_group.mirror_nlb_security_group.id}' },
      ]),
    );
    expect(rules).toHaveLength(4);
    expect(rules.some((rule) => rule.port === 22)).toBe(false);
  });

  test('the fleet may leave only on HTTPS and HTTP', () => {
    const egress = Object.values(json.resource.aws_vpc_security_group_egress_rule).filter(
      (rule) => rule.security_group_id === '${aws_security_group.fleet_security_group.id}',
    );
    expect(egress.map((rule) => [rule.ip_protocol, rule.from_port, rule.cidr_ipv4])).toEqual([
      ['tcp', 80, '0.0.0.0/0'],
      ['tcp', 443, '0.0.0.0/0'],
    ]);
  });
});

describe('EC2 agent fleet', () => {
  const { json } = synthConfig({ AutoscalingMaxSize: 6, AutoscalingTargetValue: 55, InstanceType: 'c5.2xlarge' });
  const launchTemplate = resource(json, 'aws_launch_template', 'fleet_launch_template');

  test('launch template: latest Amazon Linux 2023 via resolve:ssm, IMDSv2 only, encrypted gp3 root, no key pair', () => {
    expect(launchTemplate).toMatchObject({
      image_id: 'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
      instance_type: 'c5.2xlarge',
      iam_instance_profile: { arn: '${aws_iam_instance_profile.fleet_instance_profile.arn}' },
      vpc_security_group_ids: ['${aws_security_group.fleet_security_group.id}'],
      metadata_options: { http_endpoint: 'enabled', http_tokens: 'required', http_put_response_hop_limit: 1 },
      block_device_mappings: [{ device_name: '/dev/xvda', ebs: { volume_type: 'gp3', encrypted: 'true', delete_on_termination: 'true', volume_size: 30 } }],
    });
    expect(launchTemplate.key_name).toBeUndefined();
  });

  test('images pinned by digest reach the hosts as given (SuricataImage, TraceableAgentImage with @sha256:...)', () => {
    const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;
    const pinned = synthConfig({ SuricataImage: `jasonish/suricata:7.0.10@${digest}`, TraceableAgentImage: `traceableai/traceable-agent:1.71.2@${digest}` });
    const script = userDataScript(resource(pinned.json, 'aws_launch_template', 'fleet_launch_template'));
    expect(script).toContain(`TRACEABLE_SURICATA_IMAGE='jasonish/suricata:7.0.10@${digest}'`);
    expect(script).toContain(`TRACEABLE_AGENT_IMAGE='traceableai/traceable-agent:1.71.2@${digest}'`);
  });

  test('user data is the rendered bootstrap, base64-encoded at synth; Terraform puts the bundle bucket in and gzips it', () => {
    const { script, bucket } = userDataOf(launchTemplate);
    expect(bucket).toBe('aws_s3_bucket.fleet_bootstrap_bundle_bucket');
    expect(script).toBe(renderUserData(bootstrapPropsOf(configOf({ AutoscalingMaxSize: 6, AutoscalingTargetValue: 55, InstanceType: 'c5.2xlarge' })), bootstrapBundle('ec2')));
    expect(script).toContain('traffic-mirroring/traceable-refresh-token');
    expect(launchTemplate.depends_on).toEqual(['aws_s3_object.fleet_bootstrap_bundle_object', 'aws_iam_role_policy.fleet_bootstrap_bundle_read']);
  });

  test('autoscaling group: 1 to AutoscalingMaxSize, ELB health checks, in the target group, instance refresh', () => {
    expect(resource(json, 'aws_autoscaling_group', ASG)).toMatchObject({
      min_size: 1,
      max_size: 6,
      vpc_zone_identifier: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
      target_group_arns: ['${aws_lb_target_group.mirror_vxlan_target_group.arn}'],
      health_check_type: 'ELB',
      launch_template: { id: '${aws_launch_template.fleet_launch_template.id}', version: '${aws_launch_template.fleet_launch_template.latest_version}' },
      instance_refresh: { strategy: 'Rolling', preferences: { min_healthy_percentage: 50 } },
    });
  });

  test('target tracking on average CPU and on the memory metric the bootstrap publishes', () => {
    expect(resource(json, 'aws_autoscaling_policy', 'fleet_cpu_target_tracking').target_tracking_configuration).toEqual({
      predefined_metric_specification: { predefined_metric_type: 'ASGAverageCPUUtilization' },
      target_value: 55,
    });
    expect(resource(json, 'aws_autoscaling_policy', 'fleet_memory_target_tracking').target_tracking_configuration).toEqual({
      customized_metric_specification: {
        namespace: 'Traceable/TrafficMirroring',
        metric_name: 'mem_used_percent',
        statistic: 'Average',
        metric_dimension: [{ name: 'AutoScalingGroupName', value: `\${aws_autoscaling_group.${ASG}.name}` }],
      },
      target_value: 55,
    });
  });

  test('scaling on the hosts\' own load and loss: packets per host (target tracking) and kernel drops (a step out)', () => {
    expect(resource(json, 'aws_autoscaling_policy', 'fleet_packets_target_tracking')).toEqual({
      name: 'traffic-mirroring-packets',
      autoscaling_group_name: '${aws_autoscaling_group.fleet_autoscaling_group.name}',
      policy_type: 'TargetTrackingScaling',
      target_tracking_configuration: {
        customized_metric_specification: {
          namespace: 'Traceable/TrafficMirroring',
          metric_name: 'KernelPackets',
          statistic: 'Average',
          metric_dimension: [{ name: 'AutoScalingGroupName', value: 'traffic-mirroring-agents' }],
        },
        target_value: 3000000,
      },
    });
    expect(resource(json, 'aws_autoscaling_policy', 'fleet_drops_step_scaling')).toEqual({
      name: 'traffic-mirroring-drops',
      autoscaling_group_name: '${aws_autoscaling_group.fleet_autoscaling_group.name}',
      policy_type: 'StepScaling',
      adjustment_type: 'ChangeInCapacity',
      estimated_instance_warmup: 300,
      step_adjustment: [{ metric_interval_lower_bound: '0', scaling_adjustment: 1 }],
    });
  });

  test('alarms: sustained kernel drops (over 1% of packets for 3 minutes, adds a host) and feed send errors, to the alarm topic', () => {
    const sum = (id: string, metricName: string) => ({
      id,
      return_data: false,
      metric: { namespace: 'Traceable/TrafficMirroring', metric_name: metricName, dimensions: { AutoScalingGroupName: 'traffic-mirroring-agents' }, period: 60, stat: 'Sum' },
    });
    expect(resource(json, 'aws_cloudwatch_metric_alarm', 'fleet_kernel_drops_alarm')).toEqual({
      alarm_name: 'traffic-mirroring-kernel-drops',
      alarm_description: 'Agent hosts of traffic-mirroring-agents drop mirrored packets in the kernel (capture cannot keep up): adds a host',
      comparison_operator: 'GreaterThanThreshold',
      threshold: 1,
      evaluation_periods: 3,
      datapoints_to_alarm: 3,
      treat_missing_data: 'notBreaching',
      metric_query: [
        sum('drops', 'KernelDrops'),
        sum('packets', 'KernelPackets'),
        { id: 'drop_percent', expression: 'IF(packets > 0, 100 * drops / packets, 0)', label: 'Kernel drops (% of packets)', return_data: true },
      ],
      alarm_actions: ['${aws_sns_topic.alarms_topic.arn}', '${aws_autoscaling_policy.fleet_drops_step_scaling.arn}'],
      ok_actions: ['${aws_sns_topic.alarms_topic.arn}'],
    });
    expect(resource(json, 'aws_cloudwatch_metric_alarm', 'fleet_feed_send_errors_alarm')).toEqual({
      alarm_name: 'traffic-mirroring-feed-send-errors',
      alarm_description: 'Suricata on traffic-mirroring-agents cannot hand HTTP events to the Traceable agent (feed send errors)',
      namespace: 'Traceable/TrafficMirroring',
      metric_name: 'FeedSendErrors',
      dimensions: { AutoScalingGroupName: 'traffic-mirroring-agents' },
      statistic: 'Sum',
      period: 60,
      comparison_operator: 'GreaterThanThreshold',
      threshold: 0,
      evaluation_periods: 3,
      datapoints_to_alarm: 3,
      treat_missing_data: 'notBreaching',
      alarm_actions: ['${aws_sns_topic.alarms_topic.arn}'],
      ok_actions: ['${aws_sns_topic.alarms_topic.arn}'],
    });
    expect(resource(json, 'aws_cloudwatch_log_group', 'fleet_metrics_log_group')).toEqual({ name: '/traceable/traffic-mirroring/host-metrics', retention_in_days: 7 });
  });

  test('instance role: SSM core, metrics into the stack\'s namespace and its metrics log group only, read of exactly the token secret, nothing wider', () => {
    const attachments = Object.values(json.resource.aws_iam_role_policy_attachment).map((a) => a.policy_arn);
    expect(attachments).toEqual(['arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore']);
    expect(JSON.parse(resource(json, 'aws_iam_role_policy', 'fleet_publish_metrics').policy).Statement).toEqual([
      {
        Sid: 'WriteHostMetricsDocuments',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
        Resource: ['${aws_cloudwatch_log_group.fleet_metrics_log_group.arn}', '${aws_cloudwatch_log_group.fleet_metrics_log_group.arn}:log-stream:*'],
      },
      { Sid: 'PutMetricsIntoOwnNamespace', Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'Traceable/TrafficMirroring' } } },
      { Sid: 'ResolveAutoScalingGroupDimension', Effect: 'Allow', Action: 'ec2:DescribeTags', Resource: '*' },
    ]);
    expect(resource(json, 'aws_iam_role_policy', 'fleet_read_token_secret').policy).toBe(
      '${jsonencode({"Version" = "2012-10-17", "Statement" = [{"Sid" = "ReadRefreshToken", "Effect" = "Allow", "Action" = "secretsmanager:GetSecretValue", "Resource" = aws_secretsmanager_secret.token_secret.arn}]})}',
    );
    expect(JSON.parse(resource(json, 'aws_iam_role', 'fleet_role').assume_role_policy).Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
  });

  test('images in private ECR: the instance role may pull exactly those repositories; public images need no policy', () => {
    expect(json.resource.aws_iam_role_policy.fleet_pull_agent_images).toBeUndefined();
    const mirrored = synthConfig({
      TraceableAgentImage: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/traceable-agent:1.71.2',
      SuricataImage: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/suricata:7.0.10',
    });
    expect(JSON.parse(resource(mirrored.json, 'aws_iam_role_policy', 'fleet_pull_agent_images').policy).Statement).toEqual([
      { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      {
        Sid: 'PullAgentImages',
        Effect: 'Allow',
        Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        Resource: ['arn:aws:ecr:eu-west-1:123456789012:repository/mirror/suricata', 'arn:aws:ecr:eu-west-1:123456789012:repository/mirror/traceable-agent'],
      },
    ]);
  });

  test('a Graviton type takes the arm64 image; a custom Ubuntu AMI its own root device; a key pair when asked', () => {
    const arm = resource(synthConfig({ InstanceType: 'm7g.xlarge' }).json, 'aws_launch_template', 'fleet_launch_template');
    expect(arm.image_id).toBe('resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64');
    const ubuntu = resource(
      synthConfig({ CustomAMI: 'ami-0123456789abcdef0', CustomAMIOperatingSystem: 'ubuntu', KeyName: 'ops', CustomInstanceType: 'c7i.2xlarge' }).json,
      'aws_launch_template',
      'fleet_launch_template',
    );
    expect(ubuntu).toMatchObject({ image_id: 'ami-0123456789abcdef0', key_name: 'ops', instance_type: 'c7i.2xlarge' });
    expect(ubuntu.block_device_mappings[0].device_name).toBe('/dev/sda1');
  });
});

describe('token secret, provider and outputs', () => {
  test('a created secret has no value in Terraform: no variable, no version; 0.2.0\'s version is forgotten, not destroyed', () => {
    const { json, text } = synthConfig();
    expect(json.variable).toBeUndefined();
    expect(json.resource.aws_secretsmanager_secret_version).toBeUndefined();
    expect(resource(json, 'aws_secretsmanager_secret', 'token_secret')).toEqual({
      name: 'traffic-mirroring/traceable-refresh-token',
      description: 'Traceable refresh token for the traffic-mirroring traffic-mirroring agents (key refresh_token)',
      recovery_window_in_days: 7,
    });
    expect(json.removed).toEqual([{ from: 'aws_secretsmanager_secret_version.token_value', lifecycle: { destroy: false } }]);
    expect(text).not.toMatch(/secret_string|refresh_token_version/);
  });

  test('an existing secret ARN creates neither the variable nor a secret', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:traceable/token-AbCdEf';
    const { json } = synthConfig({ TraceableRefreshTokenSecretArn: arn });
    expect(json.variable).toBeUndefined();
    expect(json.resource.aws_secretsmanager_secret).toBeUndefined();
    expect(json.output.token_secret_arn.value).toBe(arn);
  });

  test('the region and Tags reach the provider, with the stack tag on every resource', () => {
    const { json } = synthConfig({ Tags: { team: 'platform' }, StackName: 'mirror-prod' });
    expect(json.provider.aws).toEqual([{ region: 'eu-west-1', default_tags: [{ tags: { team: 'platform', 'traceable:stack': 'mirror-prod' } }] }]);
    expect(json.terraform.backend).toEqual({ local: { path: 'terraform.mirror-prod.tfstate' } });
  });

  test('outputs name the target, the filter, the NLB, the group and the secret', () => {
    const { json } = synthConfig();
    expect(Object.fromEntries(Object.entries(json.output as Record<string, { value: string }>).map(([name, output]) => [name, output.value]))).toMatchObject({
      mirror_target_id: '${aws_ec2_traffic_mirror_target.mirror_mirror_target.id}',
      mirror_filter_id: '${aws_ec2_traffic_mirror_filter.mirror_mirror_filter.id}',
      nlb_arn: '${aws_lb.mirror_nlb.arn}',
      nlb_dns_name: '${aws_lb.mirror_nlb.dns_name}',
      autoscaling_group_name: `\${aws_autoscaling_group.${ASG}.name}`,
      token_secret_arn: '${aws_secretsmanager_secret.token_secret.arn}',
    });
  });
});

describe('state backends', () => {
  test('S3 with encryption and the native lock file by default, one key per stack', () => {
    const { json } = synthConfig({ StackName: 'mirror-prod', Backend: { type: 's3', bucket: 'acme-tf-state' } });
    expect(json.terraform.backend).toEqual({
      s3: { bucket: 'acme-tf-state', key: 'traceable-traffic-mirroring/mirror-prod.tfstate', region: 'eu-west-1', encrypt: true, use_lockfile: true },
    });
  });

  test('S3 with every key given, including a DynamoDB lock table', () => {
    const { json } = synthConfig({
      Backend: { type: 's3', bucket: 'acme-tf-state', key: 'x/y.tfstate', region: 'us-east-2', encrypt: 'false', use_lockfile: false, dynamodb_table: 'tf-locks' },
    });
    expect(json.terraform.backend).toEqual({
      s3: { bucket: 'acme-tf-state', key: 'x/y.tfstate', region: 'us-east-2', encrypt: false, use_lockfile: false, dynamodb_table: 'tf-locks' },
    });
  });

  test('HCP Terraform through the cloud block or the remote backend', () => {
    expect(synthConfig({ Backend: { type: 'cloud', organization: 'acme', workspace: 'mirror-prod' } }).json.terraform.cloud).toEqual({
      hostname: 'app.terraform.io',
      organization: 'acme',
      workspaces: { name: 'mirror-prod' },
    });
    expect(synthConfig({ Backend: { type: 'remote', organization: 'acme', workspace: 'mirror-prod', hostname: 'tfe.acme.internal' } }).json.terraform.backend).toEqual({
      remote: { hostname: 'tfe.acme.internal', organization: 'acme', workspaces: { name: 'mirror-prod' } },
    });
  });
});

describe('determinism and failure modes', () => {
  test('two synths give byte-identical stack folders', () => {
    const first = synthConfig({ MirrorSourceType: 'TARGET_GROUP', MirrorSource: 'a-tg,b-tg' });
    const second = synthConfig({ MirrorSourceType: 'TARGET_GROUP', MirrorSource: 'a-tg,b-tg' });
    expect(Object.keys(snapshot(first.stackDir)).length).toBeGreaterThan(0);
    expect(snapshot(second.stackDir)).toEqual(snapshot(first.stackDir));
  });

  test('a directory of configurations synthesizes one stack per file', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'envs-'));
    for (const env of ['dev', 'prod']) {
      writeFileSync(join(dir, `${env}.json`), JSON.stringify({ ...BASE_CONFIG, StackName: `mirror-${env}`, TraceableEnvironment: env }));
    }
    const outdir = join(dir, 'cdktf.out');

    // Act
    const result = spawnSync(process.execPath, [require.resolve('tsx/cli'), 'main.ts'], {
      cwd: join(__dirname, '..'),
      env: { ...process.env, MIRRORING_CONFIG: dir, CDKTF_OUTDIR: outdir },
      encoding: 'utf8',
    });

    // Assess
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(readdirSync(join(outdir, 'stacks')).sort()).toEqual(['mirror-dev', 'mirror-prod']);
    const prod = JSON.parse(readFileSync(join(outdir, 'stacks', 'mirror-prod', 'cdk.tf.json'), 'utf8'));
    expect(prod.resource.aws_lb.mirror_nlb.name).toBe('mirror-prod-nlb');
  });

  test('an invalid configuration exits non-zero with every problem and leaves cdktf.out untouched', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'bad-config-'));
    const outdir = join(dir, 'cdktf.out');
    const configPath = join(dir, 'config.json');
    writeFileSync(configPath, JSON.stringify({ Region: 'nowhere', MirrorSourceType: 'MANUAL', SubnetIds: '', TraceableRefreshToken: 'tok-123' }));
    mkdirSync(join(outdir, 'stacks', 'old'), { recursive: true });
    writeFileSync(join(outdir, 'stacks', 'old', 'cdk.tf.json'), '{"kept": true}');

    // Act
    const result = spawnSync(process.execPath, [require.resolve('tsx/cli'), 'main.ts'], {
      cwd: join(__dirname, '..'),
      env: { ...process.env, MIRRORING_CONFIG: configPath, CDKTF_OUTDIR: outdir },
      encoding: 'utf8',
    });

    // Assess
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`Invalid configuration ${configPath}: 6 problems`);
    expect(result.stderr).toContain('  - Region: got "nowhere"; expected an AWS region such as us-east-1');
    expect(result.stderr).toContain('  - SubnetIds: got ""; expected a non-empty comma-separated list of subnet IDs such as subnet-0123456789abcdef0');
    expect(result.stderr).not.toContain('tok-123');
    expect(snapshot(outdir)).toEqual({ '/stacks/old/cdk.tf.json': Buffer.from('{"kept": true}').toString('base64') });
  });
});

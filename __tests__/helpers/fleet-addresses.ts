/** The Terraform addresses of the two agent fleet kinds, for the synth and plan tests of the deployment modes. */

/** Resources both fleet kinds have, under their own prefix. */
const hostAddresses = (prefix: string, managedPolicies: string[]) => [
  `aws_autoscaling_group.${prefix}_autoscaling_group`,
  `aws_iam_instance_profile.${prefix}_instance_profile`,
  `aws_iam_role.${prefix}_role`,
  `aws_iam_role_policy.${prefix}_read_token_secret`,
  ...managedPolicies.map((policy) => `aws_iam_role_policy_attachment.${prefix}_managed_${policy}`),
  `aws_launch_template.${prefix}_launch_template`,
  `aws_security_group.${prefix}_security_group`,
  `aws_vpc_security_group_egress_rule.${prefix}_egress_http`,
  `aws_vpc_security_group_egress_rule.${prefix}_egress_https`,
];

/** The bootstrap bundle's carrier (modules/bootstrap-bundle.ts) of a fleet. */
const bundleAddresses = (prefix: string) => [
  `aws_iam_role_policy.${prefix}_bootstrap_bundle_read`,
  `aws_s3_bucket.${prefix}_bootstrap_bundle_bucket`,
  `aws_s3_bucket_policy.${prefix}_bootstrap_bundle_policy`,
  `aws_s3_bucket_public_access_block.${prefix}_bootstrap_bundle_public_access_block`,
  `aws_s3_bucket_server_side_encryption_configuration.${prefix}_bootstrap_bundle_encryption`,
  `aws_s3_object.${prefix}_bootstrap_bundle_object`,
];

/** Every resource of each fleet kind (the other kind's are then absent). */
export const FLEET_ADDRESSES = {
  ec2: [
    ...hostAddresses('fleet', ['AmazonSSMManagedInstanceCore']),
    ...bundleAddresses('fleet'),
    'aws_autoscaling_policy.fleet_cpu_target_tracking',
    'aws_autoscaling_policy.fleet_drops_step_scaling',
    'aws_autoscaling_policy.fleet_memory_target_tracking',
    'aws_autoscaling_policy.fleet_packets_target_tracking',
    'aws_cloudwatch_log_group.fleet_metrics_log_group',
    'aws_cloudwatch_metric_alarm.fleet_feed_send_errors_alarm',
    'aws_cloudwatch_metric_alarm.fleet_truncated_packets_alarm',
    'aws_cloudwatch_metric_alarm.fleet_kernel_drops_alarm',
    'aws_iam_role_policy.fleet_publish_metrics',
  ],
  ecs: [
    ...hostAddresses('ecs_fleet', ['AmazonSSMManagedInstanceCore', 'AmazonEC2ContainerServiceforEC2Role']),
    ...bundleAddresses('ecs_fleet'),
    'aws_appautoscaling_policy.ecs_fleet_cpu_target_tracking',
    'aws_appautoscaling_policy.ecs_fleet_drops_step_scaling',
    'aws_appautoscaling_policy.ecs_fleet_memory_target_tracking',
    'aws_appautoscaling_policy.ecs_fleet_packets_target_tracking',
    'aws_appautoscaling_target.ecs_fleet_scaling_target',
    'aws_cloudwatch_log_group.ecs_fleet_log_group',
    'aws_cloudwatch_metric_alarm.ecs_fleet_feed_send_errors_alarm',
    'aws_cloudwatch_metric_alarm.ecs_fleet_truncated_packets_alarm',
    'aws_cloudwatch_metric_alarm.ecs_fleet_kernel_drops_alarm',
    'aws_ecs_capacity_provider.ecs_fleet_capacity_provider',
    'aws_ecs_cluster.ecs_fleet_cluster',
    'aws_ecs_cluster_capacity_providers.ecs_fleet_cluster_capacity_providers',
    'aws_ecs_service.ecs_fleet_service',
    'aws_ecs_task_definition.ecs_fleet_task_definition',
    'aws_iam_role.ecs_fleet_execution_role',
    'aws_iam_role.ecs_fleet_task_role',
    'aws_iam_role_policy.ecs_fleet_execution_role_policy',
  ],
};
export type FleetKind = keyof typeof FLEET_ADDRESSES;

/**
 * Names of the AWS resources that tools outside Terraform look up (the doctor command, operators' scripts). One
 * definition, used by the constructs that create them and by the tools that find them.
 */
export function resourceNames(namePrefix: string) {
  const sessionFunction = `${namePrefix}-mirror-sessions`;
  return {
    /** The mirror target network load balancer. */
    loadBalancer: `${namePrefix}-nlb`,
    /** Its UDP 4789 target group. */
    targetGroup: `${namePrefix}-vxlan`,
    /** The agent hosts' autoscaling group (and, with the ECS fleet, the cluster). */
    agentGroup: `${namePrefix}-agents`,
    /** The session Lambda. */
    sessionFunction,
    /** Where the EC2 agent hosts' CloudWatch agent writes their metrics documents (embedded metric format). */
    hostMetricsLogGroup: `/traceable/${namePrefix}/host-metrics`,
    /** The session Lambda's log group. */
    sessionLogGroup: `/aws/lambda/${sessionFunction}`,
    /** The destroy-time cleanup function (same code) and its log group. */
    cleanupFunction: `${sessionFunction}-cleanup`,
    cleanupLogGroup: `/aws/lambda/${sessionFunction}-cleanup`,
    /** The token secret the stack creates when no existing secret is given. */
    tokenSecret: createdTokenSecretName(namePrefix),
    /** The alarm topic the stack creates when the configuration names none. */
    alarmTopic: alarmTopicName(namePrefix),
  };
}

/** Name of the secret the stack creates when no existing secret is given. */
export function createdTokenSecretName(namePrefix: string): string {
  return `${namePrefix}/traceable-refresh-token`;
}

/** Name of the topic the stack creates when the configuration names none. */
export function alarmTopicName(namePrefix: string): string {
  return `${namePrefix}-alarms`;
}

/**
 * The agent hosts' autoscaling groups: one, or with SameZoneDelivery one per subnet (`<prefix>-agents-<subnet id>`),
 * in SubnetIds order.
 */
export function agentGroupNames(namePrefix: string, subnetIds: readonly string[], sameZoneDelivery: boolean): string[] {
  const { agentGroup } = resourceNames(namePrefix);
  return sameZoneDelivery ? subnetIds.map((subnetId) => `${agentGroup}-${subnetId}`) : [agentGroup];
}

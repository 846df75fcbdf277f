/**
 * ARN building blocks derived from the configured region, so no data source (caller identity, partition) is
 * needed: plans stay offline and cost no API calls.
 */

/** The AWS partition of a region: aws-cn for China, aws-us-gov for GovCloud, aws elsewhere. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** ARN of an AWS-managed IAM policy in the region's partition. */
export function managedPolicyArn(region: string, policyName: string): string {
  return `arn:${partitionOf(region)}:iam::aws:policy/${policyName}`;
}

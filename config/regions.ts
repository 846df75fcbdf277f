/**
 * AWS's regions, by partition: the one list the configuration checks `Region` (and an S3 backend's region) against,
 * so a region that does not exist is refused at synth instead of by Terraform or AWS later.
 *
 * Source: the partitions table of the AWS SDK for JavaScript v3 (`@aws-sdk/core` 3.981.2,
 * dist-es/submodules/client/util-endpoints/lib/aws/partitions.js), read 2026-11-30; partitions aws (commercial),
 * aws-us-gov (GovCloud) and aws-cn (China). The isolated partitions (ISO, ISO-B, ISO-E, ISO-F) and the European
 * Sovereign Cloud are left out: this project does not deploy there. `__tests__/regions.test.ts` fails when the
 * installed SDK's table differs, so an SDK upgrade shows when to update this list.
 */
export const AWS_REGIONS = {
  aws: [
    'af-south-1', 'ap-east-1', 'ap-east-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-south-2',
    'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7',
    'ca-central-1', 'ca-west-1', 'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1',
    'eu-west-2', 'eu-west-3', 'il-central-1', 'me-central-1', 'me-south-1', 'me-west-1', 'mx-central-1', 'sa-east-1',
    'sa-west-1', 'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
  ],
  'aws-us-gov': ['us-gov-east-1', 'us-gov-west-1'],
  'aws-cn': ['cn-north-1', 'cn-northwest-1'],
} as const satisfies Record<string, readonly string[]>;

export type AwsPartition = keyof typeof AWS_REGIONS;

/** The partition of a region (the `arn:<partition>:` of its ARNs), or undefined when it is not one of AWS_REGIONS. */
export function partitionOfRegion(region: string): AwsPartition | undefined {
  return (Object.keys(AWS_REGIONS) as AwsPartition[]).find((partition) => (AWS_REGIONS[partition] as readonly string[]).includes(region));
}

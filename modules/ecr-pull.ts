import { partitionOf } from './aws-partition';

/** `<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>[:tag][@digest]` */
const PRIVATE_ECR_IMAGE = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)/;

/** ARN of the private ECR repository an image comes from, or undefined for any other registry. */
function ecrRepositoryArn(image: string): string | undefined {
  const match = PRIVATE_ECR_IMAGE.exec(image);
  if (!match) return undefined;
  const [, account, region, repository] = match;
  return `arn:${partitionOf(region)}:ecr:${region}:${account}:repository/${repository}`;
}

/**
 * IAM statements that let a role pull exactly the private ECR images among `images` (e.g. agent images mirrored into
 * ECR to avoid Docker Hub's pull limits); none when no image is in private ECR.
 */
export function ecrPullStatements(images: readonly string[]): object[] {
  const repositories = [...new Set(images.map(ecrRepositoryArn).filter((arn): arn is string => arn !== undefined))].sort();
  if (repositories.length === 0) return [];
  return [
    // GetAuthorizationToken has no resource-level permissions.
    { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
    {
      Sid: 'PullAgentImages',
      Effect: 'Allow',
      Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      Resource: repositories,
    },
  ];
}

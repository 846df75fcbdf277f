/**
 * The credentials check both doctors make once, before any check: the SDK's default chain (AWS_PROFILE, the
 * environment, SSO, an instance role) resolved as the clients will resolve it, so that missing credentials are one line,
 * not the same failure from every check.
 */
import { EC2Client } from '@aws-sdk/client-ec2';

export async function resolveCredentials(region: string): Promise<void> {
  const client = new EC2Client({ region });
  try {
    await client.config.credentials();
  } finally {
    client.destroy();
  }
}

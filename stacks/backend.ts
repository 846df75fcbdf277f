import { CloudBackend, LocalBackend, NamedCloudWorkspace, RemoteBackend, S3Backend, type TerraformStack } from 'cdktf';
import type { BackendConfig } from '../config';

/** Default object key of an S3 state: one per stack, under a common prefix. */
function defaultS3StateKey(stackName: string): string {
  return `traceable-traffic-mirroring/${stackName}.tfstate`;
}

/** Declares where Terraform keeps the stack's state. Paths stay relative so synthesized files carry no machine paths. */
export function applyBackend(stack: TerraformStack, backend: BackendConfig, stackName: string, region: string): void {
  switch (backend.type) {
    case 'local':
      new LocalBackend(stack, { path: backend.path ?? `terraform.${stackName}.tfstate` });
      return;
    case 's3':
      new S3Backend(stack, {
        bucket: backend.bucket,
        key: backend.key ?? defaultS3StateKey(stackName),
        region: backend.region ?? region,
        encrypt: backend.encrypt ?? true,
        dynamodbTable: backend.dynamodb_table,
      });
      // Terraform's native S3 lock file (1.10+); cdktf 0.21 has no typed field for it yet.
      stack.addOverride('terraform.backend.s3.use_lockfile', backend.use_lockfile ?? true);
      return;
    case 'remote':
      new RemoteBackend(stack, {
        hostname: backend.hostname ?? 'app.terraform.io',
        organization: backend.organization,
        workspaces: { name: backend.workspace },
      });
      return;
    case 'cloud':
      new CloudBackend(stack, {
        hostname: backend.hostname ?? 'app.terraform.io',
        organization: backend.organization,
        workspaces: new NamedCloudWorkspace(backend.workspace),
      });
      return;
  }
}

import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import { BUNDLE_BUCKET_PLACEHOLDER, BUNDLE_KEY_PREFIX, type BootstrapBundle } from '../bootstrap';
import { resourceNames } from '../shared';

export interface BootstrapBundleProps {
  /** Prefix of the bucket's name (the stack name; lower-cased, S3 names have no capitals). */
  readonly namePrefix: string;
  /** The bundle (bootstrap/index.ts bootstrapBundle()): its gzip is the object, its key names it. */
  readonly bundle: BootstrapBundle;
}

/**
 * Carries the agent hosts' files past EC2's 16 KB user data limit: a private bucket (public access blocked, SSE-S3,
 * TLS only, emptied by `terraform destroy`) holding the bundle, which the user data fetches with the instance role
 * and checks against its sha256 (bootstrap/files/fetch-bundle.sh).
 */
export class BootstrapBundleBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly object: S3Object;

  constructor(scope: Construct, id: string, props: BootstrapBundleProps) {
    super(scope, id);
    // bucket_prefix: at most 37 characters; the stack name has at most 24.
    this.bucket = new S3Bucket(this, 'bucket', { bucketPrefix: resourceNames(props.namePrefix).bootstrapBucketPrefix, forceDestroy: true });
    const publicAccessBlock = new S3BucketPublicAccessBlock(this, 'public_access_block', {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket: this.bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
    });
    new S3BucketPolicy(this, 'policy', {
      bucket: this.bucket.id,
      policy: Fn.jsonencode({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'DenyWithoutTls',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: [this.bucket.arn, `${this.bucket.arn}/*`],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      }),
      // S3 refuses a policy while the public access block is being changed.
      dependsOn: [publicAccessBlock],
    });
    this.object = new S3Object(this, 'object', {
      bucket: this.bucket.id,
      key: props.bundle.key,
      contentBase64: props.bundle.gzip.toString('base64'),
      contentType: 'application/gzip',
      // A new bundle has a new key: upload it before the launch template names it, delete the old one after.
      lifecycle: { createBeforeDestroy: true },
    });
  }

  /** Lets a role read the bundles, nothing else of the bucket. */
  grantRead(role: IamRole): IamRolePolicy {
    return new IamRolePolicy(this, 'read', {
      name: 'read-bootstrap-bundle',
      role: role.id,
      policy: Fn.jsonencode({
        Version: '2012-10-17',
        Statement: [{ Sid: 'ReadBootstrapBundle', Effect: 'Allow', Action: 's3:GetObject', Resource: `${this.bucket.arn}/${BUNDLE_KEY_PREFIX}*` }],
      }),
    });
  }

  /** User data (rendered with {@link BUNDLE_BUCKET_PLACEHOLDER}) as the launch template takes it: Terraform puts the
   * bucket's name in and gzips it. The script travels base64-encoded, so Terraform never reads its `${...}`. */
  userData(userData: string): string {
    const occurrences = userData.split(BUNDLE_BUCKET_PLACEHOLDER).length - 1;
    if (occurrences !== 1) throw new Error(`bootstrap bundle: the user data must name the bucket once, found ${occurrences} times`);
    return Fn.base64gzip(Fn.replace(Fn.base64decode(Buffer.from(userData, 'utf8').toString('base64')), BUNDLE_BUCKET_PLACEHOLDER, this.bucket.bucket));
  }
}

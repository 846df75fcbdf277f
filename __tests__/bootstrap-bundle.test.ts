/**
 * The bootstrap bundle's carrier (modules/bootstrap-bundle.ts) as synthesized: a private bucket, the bundle object
 * under its digest, the instance role's read of exactly that prefix.
 */
import { gunzipSync } from 'node:zlib';
import { BUNDLE_BUCKET_PLACEHOLDER, bootstrapBundle, bootstrapFiles, renderUnpackScript } from '../bootstrap';
import { resource, synthConfig, userDataOf } from './helpers/synth';

const BUNDLE = 'fleet_bootstrap_bundle';
const BUCKET_REF = `aws_s3_bucket.${BUNDLE}_bucket`;

describe('bootstrap bundle of the EC2 fleet', () => {
  const { json } = synthConfig();
  const bundle = bootstrapBundle('ec2');

  test('a private bucket named after the stack, emptied by terraform destroy', () => {
    expect(resource(json, 'aws_s3_bucket', `${BUNDLE}_bucket`)).toEqual({ bucket_prefix: 'traffic-mirroring-bootstrap-', force_destroy: true });
    expect(resource(json, 'aws_s3_bucket_public_access_block', `${BUNDLE}_public_access_block`)).toEqual({
      bucket: `\${${BUCKET_REF}.id}`,
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(resource(json, 'aws_s3_bucket_server_side_encryption_configuration', `${BUNDLE}_encryption`)).toEqual({
      bucket: `\${${BUCKET_REF}.id}`,
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }],
    });
    expect(resource(json, 'aws_s3_bucket_policy', `${BUNDLE}_policy`)).toEqual({
      bucket: `\${${BUCKET_REF}.id}`,
      policy:
        '${jsonencode({"Version" = "2012-10-17", "Statement" = [{"Sid" = "DenyWithoutTls", "Effect" = "Deny", "Principal" = "*", "Action" = "s3:*", ' +
        `"Resource" = [${BUCKET_REF}.arn, "\${${BUCKET_REF}.arn}/*"], "Condition" = {"Bool" = {"aws:SecureTransport" = "false"}}}]})}`,
      depends_on: [`aws_s3_bucket_public_access_block.${BUNDLE}_public_access_block`],
    });
  });

  test('the object is the gzip of the unpack script, under a key holding its sha256, replaced new-before-old', () => {
    const object = resource(json, 'aws_s3_object', `${BUNDLE}_object`);
    expect(object).toEqual({
      bucket: `\${${BUCKET_REF}.id}`,
      key: `bootstrap/${bundle.sha256}.sh.gz`,
      content_base64: bundle.gzip.toString('base64'),
      content_type: 'application/gzip',
      lifecycle: { create_before_destroy: true },
    });
    expect(gunzipSync(Buffer.from(object.content_base64, 'base64')).toString('utf8')).toBe(renderUnpackScript(bootstrapFiles('ec2')));
    // Deterministic: a second synth gives the same bytes (no churn, no needless instance refresh).
    expect(resource(synthConfig().json, 'aws_s3_object', `${BUNDLE}_object`).content_base64).toBe(object.content_base64);
  });

  test('the instance role may get the bundles, nothing else of the bucket', () => {
    expect(resource(json, 'aws_iam_role_policy', `${BUNDLE}_read`)).toEqual({
      name: 'read-bootstrap-bundle',
      role: '${aws_iam_role.fleet_role.id}',
      policy:
        '${jsonencode({"Version" = "2012-10-17", "Statement" = [{"Sid" = "ReadBootstrapBundle", "Effect" = "Allow", "Action" = "s3:GetObject", ' +
        `"Resource" = "\${${BUCKET_REF}.arn}/bootstrap/*"}]})}`,
    });
  });

  test('the launch template gets the bucket name from Terraform and waits for the object and the permission', () => {
    const launchTemplate = resource(json, 'aws_launch_template', 'fleet_launch_template');
    const { script, bucket } = userDataOf(launchTemplate);
    expect(bucket).toBe(BUCKET_REF);
    expect(script.split(BUNDLE_BUCKET_PLACEHOLDER)).toHaveLength(2);
    expect(script).toContain(`fetch-bundle.sh eu-west-1 ${BUNDLE_BUCKET_PLACEHOLDER} ${bundle.key} ${bundle.sha256} `);
    expect(launchTemplate.depends_on).toEqual([`aws_s3_object.${BUNDLE}_object`, `aws_iam_role_policy.${BUNDLE}_read`]);
  });

  test('the bucket prefix is lower case whatever the stack name, and within the 37 characters S3 allows for the longest one', () => {
    const upper = synthConfig({ StackName: 'Prod-Mirroring-EU-West-1' });
    const prefix = resource(upper.json, 'aws_s3_bucket', `${BUNDLE}_bucket`).bucket_prefix;
    expect(prefix).toBe('prod-mirroring-eu-west-1-bootstrap-');
    expect(prefix.length).toBeLessThanOrEqual(37);
  });
});

test("the ECS fleet's hosts get their own bundle, the same carrier, their role the same read", () => {
  const { json } = synthConfig({ DeployTraceableAgentInECS: true });
  const bundle = bootstrapBundle('ecs');
  const ref = 'aws_s3_bucket.ecs_fleet_bootstrap_bundle_bucket';
  expect(resource(json, 'aws_s3_bucket', 'ecs_fleet_bootstrap_bundle_bucket')).toEqual({ bucket_prefix: 'traffic-mirroring-bootstrap-', force_destroy: true });
  expect(resource(json, 'aws_s3_object', 'ecs_fleet_bootstrap_bundle_object')).toMatchObject({ bucket: `\${${ref}.id}`, key: bundle.key });
  expect(resource(json, 'aws_iam_role_policy', 'ecs_fleet_bootstrap_bundle_read')).toMatchObject({ role: '${aws_iam_role.ecs_fleet_role.id}' });
  const launchTemplate = resource(json, 'aws_launch_template', 'ecs_fleet_launch_template');
  expect(userDataOf(launchTemplate).bucket).toBe(ref);
  expect(launchTemplate.depends_on).toEqual(['aws_s3_object.ecs_fleet_bootstrap_bundle_object', 'aws_iam_role_policy.ecs_fleet_bootstrap_bundle_read']);
  expect(bundle.key).not.toBe(bootstrapBundle('ec2').key);
});

/**
 * A local stand-in for AWS Secrets Manager's JSON protocol (`X-Amz-Target: secretsmanager.<Operation>`), for the real
 * `terraform` (provider endpoint override) and the AWS SDK (AWS_ENDPOINT_URL_SECRETS_MANAGER) to talk to offline.
 * It keeps secrets and their versions in memory and logs every request, answered or not, so a test can say which
 * calls a plan made. Only what the provider and `npm run token:put` call is implemented; anything else is logged and
 * answered with an error a client cannot mistake for success.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const ACCOUNT = '123456789012';

export interface StandInCall {
  /** The operation (`PutSecretValue`), or `<METHOD> <path>` for a request that is not Secrets Manager JSON. */
  readonly operation: string;
  readonly secretId?: string;
}

interface Version {
  readonly id: string;
  readonly secretString: string;
  stages: string[];
  readonly created: number;
}

interface Secret {
  readonly arn: string;
  readonly name: string;
  description?: string;
  tags: { Key: string; Value: string }[];
  readonly versions: Version[];
  readonly created: number;
  deleted?: number;
}

class AwsError extends Error {
  constructor(readonly type: string, message: string) {
    super(message);
  }
}

export class SecretsManagerStandIn {
  /** Every request, in order. */
  readonly calls: StandInCall[] = [];
  /** Milliseconds PutSecretValue waits before it answers (a test looks at the caller's processes meanwhile). */
  putDelayMs = 0;
  private readonly secrets: Secret[] = [];
  private server?: Server;

  constructor(private readonly region: string) {}

  /** Listens on 127.0.0.1 and returns the endpoint URL. */
  async start(): Promise<string> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The operations called since `from` (an index into {@link calls}). */
  operationsSince(from: number): string[] {
    return this.calls.slice(from).map((call) => call.operation);
  }

  /** The SecretString labelled AWSCURRENT of a secret (by name), if any: what the hosts would read. */
  currentValue(name: string): string | undefined {
    return this.secrets.find((secret) => secret.name === name)?.versions.find((version) => version.stages.includes('AWSCURRENT'))?.secretString;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const target = String(request.headers['x-amz-target'] ?? '');
    if (!target.startsWith('secretsmanager.')) {
      this.calls.push({ operation: `${request.method} ${request.url} ${target}`.trim() });
      return this.reply(response, 400, { __type: 'UnknownOperationException', message: `the stand-in answers Secrets Manager only, not ${target || request.url}` });
    }
    const operation = target.slice('secretsmanager.'.length);
     
    let input: any;
    try {
      input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    } catch {
      input = {};
    }
    this.calls.push({ operation, secretId: input.SecretId ?? input.Name });
    try {
      const output = this.operate(operation, input);
      if (operation === 'PutSecretValue' && this.putDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.putDelayMs));
      this.reply(response, 200, output);
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      this.reply(response, 400, { __type: error.type, message: error.message });
    }
  }

  private reply(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
    response.end(JSON.stringify(body));
  }

  private find(id: string, options: { deletedToo?: boolean } = {}): Secret {
    const secret = this.secrets.find((candidate) => candidate.name === id || candidate.arn === id);
    if (!secret || (secret.deleted && !options.deletedToo)) throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return secret;
  }

  private putValue(secret: Secret, secretString: string, versionId: string = randomUUID()): Version {
    for (const version of secret.versions) {
      version.stages = version.stages.filter((stage) => stage !== 'AWSPREVIOUS');
      if (version.stages.includes('AWSCURRENT')) version.stages = [...version.stages.filter((stage) => stage !== 'AWSCURRENT'), 'AWSPREVIOUS'];
    }
    const version: Version = { id: versionId, secretString, stages: ['AWSCURRENT'], created: Date.now() / 1000 };
    secret.versions.push(version);
    return version;
  }

   
  private operate(operation: string, input: any): unknown {
    switch (operation) {
      case 'CreateSecret': {
        if (this.secrets.some((secret) => secret.name === input.Name)) throw new AwsError('ResourceExistsException', `The operation failed because the secret ${input.Name} already exists.`);
        const secret: Secret = {
          arn: `arn:aws:secretsmanager:${this.region}:${ACCOUNT}:secret:${input.Name}-AbCdEf`,
          name: input.Name,
          description: input.Description,
          tags: input.Tags ?? [],
          versions: [],
          created: Date.now() / 1000,
        };
        this.secrets.push(secret);
        const version = input.SecretString === undefined ? undefined : this.putValue(secret, input.SecretString, input.ClientRequestToken);
        return { ARN: secret.arn, Name: secret.name, VersionId: version?.id };
      }
      case 'DescribeSecret': {
        const secret = this.find(input.SecretId, { deletedToo: true });
        return {
          ARN: secret.arn,
          Name: secret.name,
          Description: secret.description,
          Tags: secret.tags,
          CreatedDate: secret.created,
          DeletedDate: secret.deleted,
          RotationEnabled: false,
          VersionIdsToStages: Object.fromEntries(secret.versions.filter((version) => version.stages.length > 0).map((version) => [version.id, version.stages])),
        };
      }
      case 'GetResourcePolicy': {
        const secret = this.find(input.SecretId);
        return { ARN: secret.arn, Name: secret.name };
      }
      case 'UpdateSecret': {
        const secret = this.find(input.SecretId);
        if (input.Description !== undefined) secret.description = input.Description;
        return { ARN: secret.arn, Name: secret.name };
      }
      case 'TagResource': {
        const secret = this.find(input.SecretId);
        const keys = new Set((input.Tags ?? []).map((tag: { Key: string }) => tag.Key));
        secret.tags = [...secret.tags.filter((tag) => !keys.has(tag.Key)), ...(input.Tags ?? [])];
        return {};
      }
      case 'UntagResource': {
        const secret = this.find(input.SecretId);
        secret.tags = secret.tags.filter((tag) => !(input.TagKeys ?? []).includes(tag.Key));
        return {};
      }
      case 'PutSecretValue': {
        const secret = this.find(input.SecretId);
        const version = this.putValue(secret, input.SecretString, input.ClientRequestToken);
        return { ARN: secret.arn, Name: secret.name, VersionId: version.id, VersionStages: version.stages };
      }
      case 'GetSecretValue': {
        const secret = this.find(input.SecretId);
        const stage = input.VersionStage ?? (input.VersionId ? undefined : 'AWSCURRENT');
        const version = secret.versions.find((candidate) => (input.VersionId ? candidate.id === input.VersionId : true) && (stage ? candidate.stages.includes(stage) : true));
        if (!version) throw new AwsError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for ${input.VersionId ? `VersionId: ${input.VersionId}` : `staging label: ${stage}`}`);
        return { ARN: secret.arn, Name: secret.name, VersionId: version.id, SecretString: version.secretString, VersionStages: version.stages, CreatedDate: version.created };
      }
      case 'UpdateSecretVersionStage': {
        const secret = this.find(input.SecretId);
        const from = secret.versions.find((version) => version.id === input.RemoveFromVersionId);
        if (from) from.stages = from.stages.filter((stage) => stage !== input.VersionStage);
        const to = secret.versions.find((version) => version.id === input.MoveToVersionId);
        if (to) to.stages.push(input.VersionStage);
        return { ARN: secret.arn, Name: secret.name };
      }
      case 'DeleteSecret': {
        const secret = this.find(input.SecretId);
        secret.deleted = Date.now() / 1000;
        if (input.ForceDeleteWithoutRecovery) this.secrets.splice(this.secrets.indexOf(secret), 1);
        return { ARN: secret.arn, Name: secret.name, DeletionDate: secret.deleted };
      }
      default:
        throw new AwsError('InvalidAction', `the stand-in does not implement ${operation}`);
    }
  }
}

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_FIELDS, ConfigError, configReferenceMarkdown, loadConfig, loadConfigs, parseConfig } from '../config';
import { BASE_CONFIG } from './helpers/synth';

/** Every problem reported for a configuration (fails when the configuration is accepted). */
function problemsOf(overrides: Record<string, unknown>, without: string[] = []): readonly string[] {
  const input: Record<string, unknown> = { ...BASE_CONFIG, ...overrides };
  for (const key of without) delete input[key];
  try {
    parseConfig(input);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error(`configuration was accepted: ${JSON.stringify(input)}`);
}

describe('configuration: accepted input and defaults', () => {
  test('the seed defaults fill every key not given', () => {
    const { config, warnings } = parseConfig({ ...BASE_CONFIG });
    expect(config).toEqual({
      StackName: 'traffic-mirroring',
      Region: 'eu-west-1',
      VpcId: 'vpc-0123456789abcdef0',
      Tags: {},
      Backend: { type: 'local' },
      MirrorSourceType: 'LOAD_BALANCER',
      MirrorSource: ['web-alb'],
      MirrorSourceVpcId: [],
      MirrorSourceCidrs: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'],
      DeployTraceableAgentInECS: false,
      SubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
      AutoscalingMaxSize: 3,
      AutoscalingTargetValue: 70,
      InstanceType: 'm4.xlarge',
      CustomInstanceType: '',
      CustomAMI: '',
      CustomAMIArchitecture: '',
      CustomAMIOperatingSystem: 'amazon-linux-2023',
      KeyName: '',
      TraceableRefreshTokenSecretArn: '',
      TraceableEnvironment: 'staging',
      TraceableServiceName: 'checkout',
      TraceableAPIEndpoint: 'api.traceable.ai',
      TraceableAgentVersion: '1.71.2',
      TraceableAgentImage: '',
      SuricataImage: 'jasonish/suricata:7.0.10',
      AgentFeed: 'socket',
      HttpBodyLimit: 131072,
      Route53ZoneName: 'private.traceable.ai',
      Route53ZoneId: '',
      Route53SubdomainName: 'mirroring-fargate',
      FargatePacketForwarderImage: '',
      MirroringSessionLambdaTimeout: 600,
      MirroringSessionLambdaInterval: 15,
      MirrorTcpPorts: [],
      MirrorTcpPortsFromTargets: false,
      MirrorSessionBudget: 0,
      MirrorUnhealthyTargets: false,
      AlarmTopicArn: '',
      TokenSecretRecoveryWindowDays: 7,
      SameZoneDelivery: false,
      PermissionsBoundaryArn: '',
      AccountId: '',
      SourceAccounts: [],
      ShareMirrorTargetWith: 'accounts',
      SharedMirrorTargetId: '',
      MirrorTargetType: 'NLB',
      GatewayLoadBalancerEndpoints: [],
      GatewayLoadBalancerCidrs: [],
      SharedEndpointServiceName: '',
    });
    expect(warnings).toEqual([]);
  });

  test('CloudFormation-style strings are converted: booleans, numbers and comma lists', () => {
    const { config } = parseConfig({
      ...BASE_CONFIG,
      DeployTraceableAgentInECS: 'true',
      MirrorUnhealthyTargets: 'false',
      AutoscalingMaxSize: '5',
      AutoscalingTargetValue: '62.5',
      MirroringSessionLambdaTimeout: '300',
      MirroringSessionLambdaInterval: '10',
      MirrorSource: ' web-alb , api-nlb ',
      SubnetIds: ['subnet-0123456789abcdef0'],
      Tags: '{"team":"platform"}',
    });
    expect(config).toMatchObject({
      DeployTraceableAgentInECS: true,
      MirrorUnhealthyTargets: false,
      AutoscalingMaxSize: 5,
      AutoscalingTargetValue: 62.5,
      MirroringSessionLambdaTimeout: 300,
      MirroringSessionLambdaInterval: 10,
      MirrorSource: ['web-alb', 'api-nlb'],
      SubnetIds: ['subnet-0123456789abcdef0'],
      Tags: { team: 'platform' },
    });
  });

  test.each<[unknown, number]>([
    [0, 0],
    ['4096', 4096],
    ['64kb', 65536],
    [' 128KB ', 131072],
    ['2048b', 2048],
  ])('HttpBodyLimit %j is %i bytes', (given, bytes) => {
    expect(parseConfig({ ...BASE_CONFIG, HttpBodyLimit: given, AgentFeed: 'file' }).config).toMatchObject({ HttpBodyLimit: bytes, AgentFeed: 'file' });
  });

  test('a CloudFormation parameters file round-trips to the same configuration as the JSON object', () => {
    // Prepare
    const asObject = {
      ...BASE_CONFIG,
      MirrorSourceType: 'LOAD_BALANCER_TAGS',
      MirrorSource: 'app=development,traceable-mirror=true,traceable-app',
      MirrorSourceVpcId: 'vpc-0123456789abcdef0,vpc-0fedcba9876543210',
      AutoscalingMaxSize: '4',
      MirrorUnhealthyTargets: 'true',
      TraceableRefreshToken: '',
    };
    const asParameters = Object.entries(asObject).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));
    const dir = mkdtempSync(join(tmpdir(), 'config-'));
    writeFileSync(join(dir, 'params.json'), JSON.stringify(asParameters));
    writeFileSync(join(dir, 'config.json'), JSON.stringify(asObject));

    // Act
    const fromParameters = loadConfig(join(dir, 'params.json'));
    const fromObject = loadConfig(join(dir, 'config.json'));

    // Assess
    expect(fromParameters).toEqual(fromObject);
    expect(fromParameters.config.MirrorSource).toEqual(['app=development', 'traceable-mirror=true', 'traceable-app']);
    expect(fromParameters.config.MirrorSourceVpcId).toEqual(['vpc-0123456789abcdef0', 'vpc-0fedcba9876543210']);
  });

  test('an unknown custom instance type is accepted with a warning', () => {
    const { config, warnings } = parseConfig({ ...BASE_CONFIG, CustomInstanceType: 'zz9.4xlarge' });
    expect(config.CustomInstanceType).toBe('zz9.4xlarge');
    expect(warnings).toEqual([
      'CustomInstanceType: "zz9.4xlarge" is not a type whose size this tool knows; make sure it has at least 4 vCPU and 8 GiB (the agent\'s requirement).',
    ]);
  });

  test('SameZoneDelivery with FARGATE sources is accepted with a warning that the sidecars still cross zones', () => {
    const { config, warnings } = parseConfig({ ...BASE_CONFIG, MirrorSourceType: 'FARGATE', MirrorSource: '', SameZoneDelivery: 'true' });
    expect(config.SameZoneDelivery).toBe(true);
    expect(warnings).toEqual([
      'SameZoneDelivery: the FARGATE packet-forwarder sidecars send to the NLB\'s name, which resolves to its nodes in every zone, so their traffic still crosses zones; only the agents are kept per zone.',
    ]);
  });

  test.each([
    ['FARGATE with extra VPCs for the private zone', { MirrorSourceType: 'FARGATE', MirrorSource: '', MirrorSourceVpcId: 'vpc-0fedcba9876543210' }],
    ['FARGATE with its own Route53 settings', { MirrorSourceType: 'FARGATE', MirrorSource: '', Route53ZoneId: 'Z0123456789ABCDEFGHIJ', Route53SubdomainName: 'mirror' }],
    ['INSTANCE_TAGS with a key=value and a bare key in two VPCs', { MirrorSourceType: 'INSTANCE_TAGS', MirrorSource: 'Mirror=True,traceable-app', MirrorSourceVpcId: 'vpc-0123456789abcdef0,vpc-0fedcba9876543210' }],
    ['ECS_CLUSTER with one cluster ARN', { MirrorSourceType: 'ECS_CLUSTER', MirrorSource: 'arn:aws:ecs:eu-west-1:123456789012:cluster/shop' }],
    ['TARGET_GROUP with a name and an ARN', { MirrorSourceType: 'TARGET_GROUP', MirrorSource: 'shop-tg,arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api-tg/0123456789abcdef' }],
    ['MANUAL with Route53 defaults from a migrated parameters file', { MirrorSourceType: 'MANUAL', MirrorSource: '', Route53ZoneName: 'private.traceable.ai', Route53ZoneId: '' }],
    ['an arm64 AMI with a Graviton type', { CustomAMI: 'ami-0123456789abcdef0', CustomAMIArchitecture: 'arm64', InstanceType: 'm6g.xlarge' }],
    ['an Ubuntu custom AMI', { CustomAMI: 'ami-0123456789abcdef0', CustomAMIOperatingSystem: 'ubuntu' }],
    ['interval of timeout + 1 minute', { MirroringSessionLambdaTimeout: 900, MirroringSessionLambdaInterval: 16 }],
    ['an existing secret ARN', { TraceableRefreshTokenSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:traceable/token-AbCdEf' }],
    ['an existing permissions boundary with a path, in AccountId', { AccountId: '123456789012', PermissionsBoundaryArn: 'arn:aws:iam::123456789012:policy/platform/workload-boundary' }],
  ])('accepts %s', (_name, overrides) => {
    expect(() => parseConfig({ ...BASE_CONFIG, ...overrides })).not.toThrow();
  });
});

describe('configuration: every rule reports the parameter, the value and what is allowed', () => {
  test.each<[string, Record<string, unknown>, string]>([
    ['unknown key with a near miss', { MirrorSorce: 'x' }, `MirrorSorce: unknown parameter (did you mean MirrorSource?); allowed parameters: ${Object.keys(CONFIG_FIELDS).join(', ')}`],
    ['unknown key with no near miss', { Colour: 'blue' }, `Colour: unknown parameter; allowed parameters: ${Object.keys(CONFIG_FIELDS).join(', ')}`],
    ['seed typo AutoscalingMazSize', { AutoscalingMazSize: 3 }, `AutoscalingMazSize: unknown parameter (did you mean AutoscalingMaxSize?); allowed parameters: ${Object.keys(CONFIG_FIELDS).join(', ')}`],
    ['MirrorSourceType value', { MirrorSourceType: 'LOADBALANCER' }, 'MirrorSourceType: got "LOADBALANCER"; expected one of LOAD_BALANCER, LOAD_BALANCER_TAGS, TARGET_GROUP, ECS_CLUSTER, INSTANCE_TAGS, MANUAL, FARGATE'],
    ['LOAD_BALANCER needs names', { MirrorSource: '' }, 'MirrorSource: got ""; expected a non-empty comma-separated list of load balancer names (1-32 letters, digits and hyphens) with MirrorSourceType LOAD_BALANCER'],
    ['LOAD_BALANCER name syntax', { MirrorSource: 'web-alb,bad_name!' }, 'MirrorSource: got "web-alb,bad_name!"; expected a non-empty comma-separated list of load balancer names (1-32 letters, digits and hyphens) with MirrorSourceType LOAD_BALANCER; not a name: bad_name!'],
    ['TARGET_GROUP names or ARNs', { MirrorSourceType: 'TARGET_GROUP', MirrorSource: 'arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/x' }, 'MirrorSource: got "arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/x"; expected a non-empty comma-separated list of target group names or ARNs with MirrorSourceType TARGET_GROUP; not a name or ARN: arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/x'],
    ['LOAD_BALANCER_TAGS items', { MirrorSourceType: 'LOAD_BALANCER_TAGS', MirrorSourceVpcId: 'vpc-0123456789abcdef0', MirrorSource: 'app=dev,=nokey' }, 'MirrorSource: got "app=dev,=nokey"; expected a non-empty comma-separated list of tags, each key=value or key, with MirrorSourceType LOAD_BALANCER_TAGS; not a tag: =nokey'],
    ['ECS_CLUSTER exactly one', { MirrorSourceType: 'ECS_CLUSTER', MirrorSource: 'a,b' }, 'MirrorSource: got "a,b"; expected exactly one ECS cluster name or ARN with MirrorSourceType ECS_CLUSTER'],
    ['MANUAL empty', { MirrorSourceType: 'MANUAL', MirrorSource: 'web-alb' }, 'MirrorSource: got "web-alb"; expected empty with MirrorSourceType MANUAL (no sources are discovered)'],
    ['FARGATE empty', { MirrorSourceType: 'FARGATE', MirrorSource: 'web-alb' }, 'MirrorSource: got "web-alb"; expected empty with MirrorSourceType FARGATE (no sources are discovered)'],
    ['MirrorSourceVpcId required for LOAD_BALANCER_TAGS', { MirrorSourceType: 'LOAD_BALANCER_TAGS', MirrorSource: 'traceable-app' }, 'MirrorSourceVpcId: got ""; expected at least one VPC ID with MirrorSourceType LOAD_BALANCER_TAGS (the VPCs to search for tagged load balancers)'],
    ['MirrorSourceVpcId refused elsewhere', { MirrorSourceVpcId: 'vpc-0123456789abcdef0' }, 'MirrorSourceVpcId: got "vpc-0123456789abcdef0"; expected empty with MirrorSourceType LOAD_BALANCER (only LOAD_BALANCER_TAGS, INSTANCE_TAGS and FARGATE use it)'],
    ['INSTANCE_TAGS items', { MirrorSourceType: 'INSTANCE_TAGS', MirrorSourceVpcId: 'vpc-0123456789abcdef0', MirrorSource: 'Mirror=True, =x' }, 'MirrorSource: got "Mirror=True, =x"; expected a non-empty comma-separated list of tags, each key=value or key, with MirrorSourceType INSTANCE_TAGS; not a tag: =x'],
    ['INSTANCE_TAGS needs tags', { MirrorSourceType: 'INSTANCE_TAGS', MirrorSourceVpcId: 'vpc-0123456789abcdef0', MirrorSource: '' }, 'MirrorSource: got ""; expected a non-empty comma-separated list of tags, each key=value or key, with MirrorSourceType INSTANCE_TAGS'],
    ['MirrorSourceVpcId required for INSTANCE_TAGS', { MirrorSourceType: 'INSTANCE_TAGS', MirrorSource: 'Mirror=True' }, 'MirrorSourceVpcId: got ""; expected at least one VPC ID with MirrorSourceType INSTANCE_TAGS (the VPCs to search for tagged instances)'],
    ['MirrorSourceVpcId format', { MirrorSourceType: 'LOAD_BALANCER_TAGS', MirrorSource: 'k', MirrorSourceVpcId: 'vpc-xyz' }, 'MirrorSourceVpcId: got "vpc-xyz"; expected a comma-separated list of VPC IDs such as vpc-0123456789abcdef0'],
    ['MirrorTcpPorts port out of range', { MirrorTcpPorts: '443,70000' }, 'MirrorTcpPorts: got "443,70000"; expected a comma-separated list of TCP ports (1-65535) or ranges such as 8000-8099'],
    ['MirrorTcpPorts reversed range', { MirrorTcpPorts: '8089-8080' }, 'MirrorTcpPorts: got "8089-8080"; expected a comma-separated list of TCP ports (1-65535) or ranges such as 8000-8099'],
    ['MirrorTcpPorts not a port', { MirrorTcpPorts: ['http'] }, 'MirrorTcpPorts: got ["http"]; expected a comma-separated list of TCP ports (1-65535) or ranges such as 8000-8099'],
    ['MirrorTcpPorts eleven entries', { MirrorTcpPorts: '1,2,3,4,5,6,7,8,9,10,11' }, 'MirrorTcpPorts: got "1,2,3,4,5,6,7,8,9,10,11"; expected at most 10 ports or ranges (AWS allows 10 traffic mirror filter rules per direction and each entry takes one); 11 given: merge neighbours into ranges such as 8000-8099'],
    ['MirrorSessionBudget above the account limit', { MirrorSessionBudget: '10001' }, 'MirrorSessionBudget: got "10001"; expected a whole number from 0 (no budget) to 10000'],
    ['MirrorSessionBudget negative', { MirrorSessionBudget: -5 }, 'MirrorSessionBudget: got -5; expected a whole number from 0 (no budget) to 10000'],
    ['MirrorSessionBudget not whole', { MirrorSessionBudget: 2.5 }, 'MirrorSessionBudget: got 2.5; expected a whole number from 0 (no budget) to 10000'],
    ['MirrorTcpPortsFromTargets without target groups', { MirrorSourceType: 'ECS_CLUSTER', MirrorSource: 'shop', MirrorTcpPortsFromTargets: 'true' }, 'MirrorTcpPortsFromTargets: got "true"; expected false with MirrorSourceType ECS_CLUSTER (ports are derived from target groups: LOAD_BALANCER, LOAD_BALANCER_TAGS and TARGET_GROUP only)'],
    ['MirrorTcpPortsFromTargets with listed ports', { MirrorTcpPorts: '443', MirrorTcpPortsFromTargets: true }, 'MirrorTcpPortsFromTargets: got true; expected false when MirrorTcpPorts is set (choose listed or derived ports)'],
    ['SameZoneDelivery with the ECS fleet', { SameZoneDelivery: 'true', DeployTraceableAgentInECS: true }, 'SameZoneDelivery: got "true"; expected false with DeployTraceableAgentInECS true (one ECS service cannot scale each zone on its own; use the EC2 fleet for same-zone delivery)'],
    ['SameZoneDelivery with a repeated subnet', { SameZoneDelivery: true, SubnetIds: 'subnet-0123456789abcdef0,subnet-0123456789abcdef1,subnet-0123456789abcdef0' }, 'SubnetIds: got "subnet-0123456789abcdef0,subnet-0123456789abcdef1,subnet-0123456789abcdef0"; expected each subnet once with SameZoneDelivery true (one autoscaling group per subnet); repeated: subnet-0123456789abcdef0'],
    ['SubnetIds non-empty', { SubnetIds: '' }, 'SubnetIds: got ""; expected a non-empty comma-separated list of subnet IDs such as subnet-0123456789abcdef0'],
    ['SubnetIds format', { SubnetIds: 'subnet-0123456789abcdef0,sub-1' }, 'SubnetIds: got "subnet-0123456789abcdef0,sub-1"; expected a non-empty comma-separated list of subnet IDs such as subnet-0123456789abcdef0'],
    ['VpcId format', { VpcId: 'vpc-1' }, 'VpcId: got "vpc-1"; expected a VPC ID such as vpc-0123456789abcdef0'],
    ['Region format', { Region: 'Ireland' }, 'Region: got "Ireland"; expected an AWS region such as us-east-1'],
    ['StackName format', { StackName: 'my stack' }, 'StackName: got "my stack"; expected letters, digits and hyphens, 1 to 128 characters, starting with a letter (as CloudFormation allows)'],
    ['AutoscalingMaxSize >= 1', { AutoscalingMaxSize: '0' }, 'AutoscalingMaxSize: got "0"; expected a whole number from 1 to 1000'],
    ['AutoscalingMaxSize whole', { AutoscalingMaxSize: 2.5 }, 'AutoscalingMaxSize: got 2.5; expected a whole number from 1 to 1000'],
    ['AutoscalingTargetValue > 0', { AutoscalingTargetValue: 0 }, 'AutoscalingTargetValue: got 0; expected a number greater than 0 and at most 100'],
    ['AutoscalingTargetValue <= 100', { AutoscalingTargetValue: '100.5' }, 'AutoscalingTargetValue: got "100.5"; expected a number greater than 0 and at most 100'],
    ['MirroringSessionLambdaTimeout 1..900', { MirroringSessionLambdaTimeout: 901 }, 'MirroringSessionLambdaTimeout: got 901; expected a whole number of seconds from 1 to 900'],
    ['MirroringSessionLambdaTimeout >= 1', { MirroringSessionLambdaTimeout: '0' }, 'MirroringSessionLambdaTimeout: got "0"; expected a whole number of seconds from 1 to 900'],
    ['MirroringSessionLambdaInterval greater than the timeout', { MirroringSessionLambdaTimeout: 900, MirroringSessionLambdaInterval: '15' }, 'MirroringSessionLambdaInterval: got "15"; expected more minutes than MirroringSessionLambdaTimeout (900 s), so runs never overlap: at least 16'],
    ['InstanceType below 4 vCPU', { InstanceType: 'm5.large' }, 'InstanceType: got "m5.large"; expected an instance type with at least 4 vCPU and 8 GiB, such as m5.xlarge (for other types use CustomInstanceType)'],
    ['InstanceType unknown', { InstanceType: 'q9.xlarge' }, 'InstanceType: got "q9.xlarge"; expected an instance type with at least 4 vCPU and 8 GiB, such as m5.xlarge (for other types use CustomInstanceType)'],
    ['CustomInstanceType below 4 vCPU', { CustomInstanceType: 't3.medium' }, 'CustomInstanceType: got "t3.medium"; expected an instance type with at least 4 vCPU and 8 GiB (size xlarge or larger): "medium" has fewer than 4 vCPU'],
    ['CustomInstanceType syntax', { CustomInstanceType: 'huge' }, 'CustomInstanceType: got "huge"; expected "" or an instance type name such as c7i.2xlarge'],
    ['CustomAMI format', { CustomAMI: 'ami-12' }, 'CustomAMI: got "ami-12"; expected "" or an AMI ID such as ami-0123456789abcdef0'],
    ['CustomAMI architecture against the instance type', { CustomAMI: 'ami-0123456789abcdef0', CustomAMIArchitecture: 'arm64', InstanceType: 'm5.xlarge' }, 'CustomAMI: ami-0123456789abcdef0 is arm64 but instance type m5.xlarge is x86_64; choose an AMI and an instance type of the same architecture'],
    ['CustomAMIArchitecture without CustomAMI', { CustomAMIArchitecture: 'x86_64' }, 'CustomAMIArchitecture: got "x86_64"; expected "" without CustomAMI (the default AMI follows the instance type)'],
    ['CustomAMIOperatingSystem end of life', { CustomAMI: 'ami-0123456789abcdef0', CustomAMIOperatingSystem: 'amazon-linux-2' }, 'CustomAMIOperatingSystem: got "amazon-linux-2"; expected amazon-linux-2023 or ubuntu'],
    ['CustomAMIOperatingSystem without CustomAMI', { CustomAMIOperatingSystem: 'ubuntu' }, 'CustomAMIOperatingSystem: got "ubuntu"; expected "amazon-linux-2023" without CustomAMI (the default AMI is the latest Amazon Linux 2023)'],
    ['KeyName format', { KeyName: ' padded ' }, 'KeyName: got " padded "; expected "" or an EC2 key pair name (printable ASCII, up to 255 characters)'],
    ['secret ARN format', { TraceableRefreshTokenSecretArn: 'arn:aws:s3:::bucket' }, 'TraceableRefreshTokenSecretArn: got "arn:aws:s3:::bucket"; expected "" or a complete Secrets Manager secret ARN, ending in the 6 characters AWS appends to the name, such as arn:aws:secretsmanager:us-east-1:123456789012:secret:traceable-AbCdEf'],
    ['PermissionsBoundaryArn format', { PermissionsBoundaryArn: 'arn:aws:iam::aws:policy/PowerUserAccess' }, 'PermissionsBoundaryArn: got "arn:aws:iam::aws:policy/PowerUserAccess"; expected "" or a customer managed IAM policy ARN such as arn:aws:iam::111122223333:policy/traffic-mirroring-boundary'],
    ['PermissionsBoundaryArn partition', { PermissionsBoundaryArn: 'arn:aws-cn:iam::123456789012:policy/boundary' }, 'PermissionsBoundaryArn: got "arn:aws-cn:iam::123456789012:policy/boundary"; expected the partition of Region eu-west-1 (arn:aws:iam::...)'],
    ['PermissionsBoundaryArn of another account', { AccountId: '111122223333', PermissionsBoundaryArn: 'arn:aws:iam::123456789012:policy/boundary' }, 'PermissionsBoundaryArn: got "arn:aws:iam::123456789012:policy/boundary"; expected a policy of AccountId 111122223333, where the roles are (IAM takes a boundary from the role\'s own account)'],
    ['hosted zone ID format', { MirrorSourceType: 'FARGATE', MirrorSource: '', Route53ZoneId: 'zone-1' }, 'Route53ZoneId: got "zone-1"; expected "" or a hosted zone ID such as Z0123456789ABCDEFGHIJ'],
    ['Route53 settings only with FARGATE', { Route53ZoneName: 'mirror.internal' }, 'Route53ZoneName: got "mirror.internal"; expected it unset with MirrorSourceType LOAD_BALANCER (Route53 settings apply only to FARGATE)'],
    ['Route53 subdomain only with FARGATE', { MirrorSourceType: 'MANUAL', MirrorSource: '', Route53SubdomainName: 'mirror' }, 'Route53SubdomainName: got "mirror"; expected it unset with MirrorSourceType MANUAL (Route53 settings apply only to FARGATE)'],
    ['TraceableAPIEndpoint host', { TraceableAPIEndpoint: 'https://api.traceable.ai/' }, 'TraceableAPIEndpoint: got "https://api.traceable.ai/"; expected a host name such as api.traceable.ai'],
    ['MirrorSourceCidrs format', { MirrorSourceCidrs: '10.0.0.0/33' }, 'MirrorSourceCidrs: got "10.0.0.0/33"; expected a comma-separated list of IPv4 CIDR blocks such as 10.0.0.0/16'],
    ['booleans', { DeployTraceableAgentInECS: 'yes' }, 'DeployTraceableAgentInECS: got "yes"; expected true or false'],
    ['Backend type', { Backend: { type: 'gcs' } }, 'Backend.type: got "gcs"; expected one of local, s3, remote, cloud'],
    ['Backend not an object', { Backend: 'nope' }, 'Backend: got "nope"; expected an object with type local, s3, remote or cloud and that type\'s keys'],
    ['Backend s3 needs a bucket', { Backend: { type: 's3' } }, 'Backend.bucket: required; expected an S3 bucket name'],
    ['Backend cloud needs a workspace', { Backend: { type: 'cloud', organization: 'acme' } }, 'Backend.workspace: required; expected an HCP Terraform workspace name'],
    ['TraceableAgentVersion format', { TraceableAgentVersion: 'latest' }, 'TraceableAgentVersion: got "latest"; expected a version such as 1.71.2'],
    ['SuricataImage must be 7.0.x', { SuricataImage: 'jasonish/suricata:8.0.0' }, 'SuricataImage: got "jasonish/suricata:8.0.0"; expected a Suricata 7.0.x container image such as jasonish/suricata:7.0.10, optionally pinned by digest (@sha256:...)'],
    ['AgentFeed value', { AgentFeed: 'tcp' }, 'AgentFeed: got "tcp"; expected socket or file'],
    ['HttpBodyLimit above the largest', { HttpBodyLimit: '1mb' }, 'HttpBodyLimit: got "1mb"; expected a whole number of bytes from 0 to 131072, or a size such as 64kb (at most 128kb)'],
    ['HttpBodyLimit bytes above the largest', { HttpBodyLimit: 131073 }, 'HttpBodyLimit: got 131073; expected a whole number of bytes from 0 to 131072, or a size such as 64kb (at most 128kb)'],
    ['HttpBodyLimit negative', { HttpBodyLimit: -1 }, 'HttpBodyLimit: got -1; expected a whole number of bytes from 0 to 131072, or a size such as 64kb (at most 128kb)'],
    ['HttpBodyLimit whole bytes', { HttpBodyLimit: 1.5 }, 'HttpBodyLimit: got 1.5; expected a whole number of bytes from 0 to 131072, or a size such as 64kb (at most 128kb)'],
    ['HttpBodyLimit unit', { HttpBodyLimit: '64 KiB' }, 'HttpBodyLimit: got "64 KiB"; expected a whole number of bytes from 0 to 131072, or a size such as 64kb (at most 128kb)'],
    ['TraceableAgentImage reference', { TraceableAgentImage: 'Not An Image' }, 'TraceableAgentImage: got "Not An Image"; expected "" or a container image reference such as 123456789012.dkr.ecr.us-east-1.amazonaws.com/traceable-agent:1.71.2'],
    ['sidecar image only with FARGATE', { FargatePacketForwarderImage: 'acme/forwarder:1.0' }, 'FargatePacketForwarderImage: got "acme/forwarder:1.0"; expected it unset with MirrorSourceType LOAD_BALANCER (the sidecar applies only to FARGATE)'],
    ['Ubuntu AMI with the ECS fleet', { DeployTraceableAgentInECS: true, CustomAMI: 'ami-0123456789abcdef0', CustomAMIOperatingSystem: 'ubuntu' }, 'CustomAMIOperatingSystem: got "ubuntu"; expected "amazon-linux-2023" with DeployTraceableAgentInECS true (the ECS fleet needs an ECS-optimized Amazon Linux 2023 AMI)'],
    ['Tags shape', { Tags: ['team'] }, 'Tags: got ["team"]; expected an object of up to 48 tags: keys of 1-127 letters, digits, spaces and _ . : / = + - @, each once ignoring case (not aws:..., Name, traceable:stack, traceable:mirroring-stack or traceable:mirroring-source, in any case), string values of up to 256 of those characters'],
  ])('%s', (_rule, overrides, expected) => {
    expect(problemsOf(overrides)).toEqual([expected]);
  });

  test('backend keys are checked one by one, unknown ones named', () => {
    expect(problemsOf({ Backend: { type: 's3', bucket: 'Bad_Bucket', encrypt: 'maybe', colour: 'red' } })).toEqual([
      'Backend.bucket: got "Bad_Bucket"; expected an S3 bucket name (3-63 lowercase letters, digits, dots and hyphens)',
      'Backend.encrypt: got "maybe"; expected true or false',
      'Backend.colour: unknown key; expected only type, bucket, key, region, encrypt, use_lockfile and dynamodb_table with type s3',
    ]);
  });

  test('required keys are named', () => {
    expect(problemsOf({}, ['Region', 'TraceableEnvironment'])).toEqual([
      "Region: required; expected one of AWS's commercial, GovCloud or China regions (listed in `config/regions.ts`), such as us-east-1",
      'TraceableEnvironment: required; expected 1 to 128 letters, digits, spaces and ._:/@+=,-',
    ]);
  });

  test('the refresh token is refused, naming both supported ways', () => {
    expect(problemsOf({ TraceableRefreshToken: 'eyJhbGciOi-secret' })).toEqual([
      'TraceableRefreshToken: the refresh token is a secret and is not accepted in the configuration file (it would land in files and state). ' +
        'Supply it one of two ways: (1) TraceableRefreshTokenSecretArn, the ARN of an existing Secrets Manager secret whose key is refresh_token; ' +
        'or (2) leave that key empty: the stack creates the secret without a value, and `npm run token:put -- --stack <StackName>` puts the token once (read from stdin or a file).',
    ]);
  });

  test('every problem is reported at once, and the token value is never echoed', () => {
    const problems = problemsOf({ Region: 'x', AutoscalingMaxSize: 0, MirrorSourceType: 'NOPE', TraceableRefreshToken: 'eyJhbGciOi-secret' });
    expect(problems.map((problem) => problem.split(':')[0])).toEqual(['TraceableRefreshToken', 'Region', 'MirrorSourceType', 'AutoscalingMaxSize']);
    expect(problems.join('\n')).not.toContain('eyJhbGciOi-secret');
  });

  test('CloudFormation parameter lists: UsePreviousValue and duplicates are refused', () => {
    expect(() => parseConfig([{ ParameterKey: 'Region', UsePreviousValue: true }, { ParameterKey: 'VpcId', ParameterValue: 'a' }, { ParameterKey: 'VpcId', ParameterValue: 'b' }], 'p.json')).toThrow(
      new ConfigError('p.json', [
        'Region: UsePreviousValue has no meaning here (there is no previous CloudFormation stack); give ParameterValue',
        'VpcId: given twice in the parameters list',
      ]),
    );
  });

  test('a missing or malformed file names the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'config-'));
    writeFileSync(join(dir, 'broken.json'), '{"Region": ');
    expect(() => loadConfig(join(dir, 'missing.json'))).toThrow(`Invalid configuration ${join(dir, 'missing.json')}: 1 problem\n  - cannot read the configuration: file not found`);
    expect(() => loadConfig(join(dir, 'broken.json'))).toThrow(/^Invalid configuration .*broken\.json: 1 problem\n {2}- cannot read the configuration: /);
  });
});

describe('several environments from one app', () => {
  function writeConfigs(files: Record<string, Record<string, unknown>>): string {
    const dir = mkdtempSync(join(tmpdir(), 'envs-'));
    for (const [name, overrides] of Object.entries(files)) writeFileSync(join(dir, name), JSON.stringify({ ...BASE_CONFIG, ...overrides }));
    return dir;
  }

  test('a directory gives one configuration per *.json file, in name order; a comma list names files', () => {
    const dir = writeConfigs({ 'prod.json': { StackName: 'mirror-prod' }, 'dev.json': { StackName: 'mirror-dev' } });
    writeFileSync(join(dir, 'notes.txt'), 'not a configuration');
    expect(loadConfigs(dir).map(({ path, config }) => [path, config.StackName])).toEqual([
      [join(dir, 'dev.json'), 'mirror-dev'],
      [join(dir, 'prod.json'), 'mirror-prod'],
    ]);
    expect(loadConfigs(`${join(dir, 'prod.json')}, ${join(dir, 'dev.json')}`).map(({ config }) => config.StackName)).toEqual(['mirror-prod', 'mirror-dev']);
  });

  test('StackName must be unique, and problems of every file are reported together', () => {
    const dir = writeConfigs({ 'a.json': { StackName: 'mirror' }, 'b.json': { StackName: 'mirror' }, 'c.json': { Region: 'x' } });
    expect(() => loadConfigs(dir)).toThrow(
      new ConfigError(dir, [
        `${join(dir, 'c.json')}: Region: got "x"; expected an AWS region such as us-east-1`,
        `${join(dir, 'b.json')}: StackName: got "mirror"; expected a name unique among the configurations, ignoring case as IAM does (${join(dir, 'a.json')} uses "mirror")`,
      ]),
    );
  });

  test('an empty directory is an error, not an empty synth', () => {
    const dir = mkdtempSync(join(tmpdir(), 'envs-'));
    expect(() => loadConfigs(dir)).toThrow(new ConfigError(dir, ['MIRRORING_CONFIG names no configuration file (a directory needs *.json files)']));
  });
});

describe('configuration reference', () => {
  test('the README table is the one generated from the schema', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const between = /<!-- config-reference:start -->\n([\s\S]*?)\n<!-- config-reference:end -->/.exec(readme)?.[1];
    expect(between).toBe(configReferenceMarkdown());
  });
});

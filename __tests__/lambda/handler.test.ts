import { configFromEnv, runModeOf, summaryLogLine } from '../../lambda/handler';
import type { RunSummary } from '../../lambda/reconcile';

const ENV = {
  STACK_NAME: 'prod', MIRROR_TARGET_ID: 'tmt-1', MIRROR_FILTER_ID: 'tmf-1',
  MIRROR_SOURCE_TYPE: 'LOAD_BALANCER_TAGS', MIRROR_SOURCES: '["app=shop","traceable-app"]', MIRROR_SOURCE_VPC_IDS: '["vpc-1"]',
};

describe('runModeOf', () => {
  it.each([
    [{ dryRun: true }, 'dry-run'],
    [{ action: 'cleanup' }, 'cleanup'],
    [{ action: 'reconcile', tf: { action: 'delete', prev_input: { action: 'reconcile' } } }, 'cleanup'],
    [{ action: 'reconcile', tf: { action: 'create', prev_input: null } }, 'reconcile'],
    [{ action: 'reconcile', tf: { action: 'update', prev_input: { action: 'reconcile' } } }, 'reconcile'],
    [{ source: 'aws.events', 'detail-type': 'Scheduled Event' }, 'reconcile'],
    [null, 'reconcile'],
  ])('%j -> %s', (event, mode) => {
    expect(runModeOf(event)).toBe(mode);
  });
});

describe('configFromEnv', () => {
  it('reads the contract with its defaults', () => {
    expect(configFromEnv(ENV, 600_000)).toEqual({
      stackName: 'prod', targetId: 'tmt-1', filterId: 'tmf-1', sourceType: 'LOAD_BALANCER_TAGS',
      sources: ['app=shop', 'traceable-app'], sourceVpcIds: ['vpc-1'], mirrorUnhealthyTargets: false, safetyMarginMs: 30_000,
      eventRetryDelaysSeconds: [15, 30, 60, 120, 240], sessionBudget: 0, tcpPortsFromTargets: false,
    });
    expect(configFromEnv({ ...ENV, MIRROR_SESSION_BUDGET: '250' }, 600_000).sessionBudget).toBe(250);
    expect(configFromEnv({ ...ENV, SAFETY_MARGIN_MS: '12000', MIRROR_UNHEALTHY_TARGETS: 'true' }, 60_000)).toMatchObject({ safetyMarginMs: 12_000, mirrorUnhealthyTargets: true });
    expect(configFromEnv(ENV, 20_000).safetyMarginMs).toBe(5_000);
  });

  it.each([
    [{ MIRROR_SOURCE_TYPE: 'MANUAL' }, 'MIRROR_SOURCE_TYPE must be one of LOAD_BALANCER, LOAD_BALANCER_TAGS, TARGET_GROUP, ECS_CLUSTER, INSTANCE_TAGS, got MANUAL'],
    [{ MIRROR_SOURCES: '[]' }, 'MIRROR_SOURCES must name at least one source for LOAD_BALANCER_TAGS'],
    [{ MIRROR_SOURCES: '"web"' }, 'environment variable MIRROR_SOURCES must be a JSON array of strings'],
    [{ MIRROR_SOURCE_VPC_IDS: '' }, 'MIRROR_SOURCE_VPC_IDS must name at least one VPC for LOAD_BALANCER_TAGS'],
    [{ MIRROR_SOURCE_TYPE: 'INSTANCE_TAGS', MIRROR_SOURCE_VPC_IDS: '' }, 'MIRROR_SOURCE_VPC_IDS must name at least one VPC for INSTANCE_TAGS'],
    [{ MIRROR_TARGET_ID: '' }, 'environment variable MIRROR_TARGET_ID is required'],
    [{ MIRROR_UNHEALTHY_TARGETS: 'yes' }, 'MIRROR_UNHEALTHY_TARGETS must be true or false'],
    [{ MIRROR_SESSION_BUDGET: '12.5' }, 'MIRROR_SESSION_BUDGET must be a whole number from 0 to 10000'],
    [{ MIRROR_TARGET_SELECTION: 'gwlb' }, 'MIRROR_TARGET_SELECTION must be one of single, vpc-endpoint, got gwlb'],
    [{ MIRROR_TARGET_SELECTION: 'single', MIRROR_TARGET_ID: '' }, 'environment variable MIRROR_TARGET_ID is required'],
  ])('refuses %j', (override, message) => {
    expect(() => configFromEnv({ ...ENV, ...override }, 600_000)).toThrow(message);
  });
});

describe('configFromEnv with MIRROR_TARGET_SELECTION', () => {
  it('single (or unset) reads the one target; vpc-endpoint needs none and ignores MIRROR_TARGET_ID', () => {
    expect(configFromEnv({ ...ENV, MIRROR_TARGET_SELECTION: 'single' }, 600_000)).toEqual(configFromEnv(ENV, 600_000));
    const { MIRROR_TARGET_ID: _unused, ...withoutTarget } = ENV;
    const config = configFromEnv({ ...withoutTarget, MIRROR_TARGET_SELECTION: ' vpc-endpoint ' }, 600_000);
    expect(config).toMatchObject({ stackName: 'prod', targetSelection: 'vpc-endpoint', filterId: 'tmf-1' });
    expect('targetId' in config).toBe(false);
    expect('targetId' in configFromEnv({ ...ENV, MIRROR_TARGET_SELECTION: 'vpc-endpoint' }, 600_000)).toBe(false);
  });
});

describe('summaryLogLine', () => {
  it('is one JSON line carrying the summary and embedded metric format figures', () => {
    // Prepare
    const summary = { mode: 'reconcile', stack: 'prod', created: 2, deleted: 1, skipped: 3, skippedByReason: { 'target-unhealthy': 3 }, discoveredTargets: 9, wanted: 6, deferredCreates: 0, deferredDeletes: 0, throttledRetries: 4, errors: 0, missingSources: [], failedSources: [], durationMs: 1234 } as unknown as RunSummary;
    // Act
    const line = summaryLogLine(summary, 1_700_000_000_000);
    // Assess
    expect(line).not.toContain('\n');
    const parsed = JSON.parse(line);
    expect(parsed._aws).toEqual({
      Timestamp: 1_700_000_000_000,
      CloudWatchMetrics: [{
        Namespace: 'Traceable/TrafficMirroring',
        Dimensions: [['Stack']],
        Metrics: [
          'DiscoveredTargets', 'WantedInterfaces', 'SessionsCreated', 'SessionsDeleted', 'InterfacesSkipped', 'DeferredChanges',
          'ThrottledRetries', 'Errors', 'MissingSources', 'FailedSources', 'DurationMs',
        ].map((Name) => ({ Name, Unit: Name === 'DurationMs' ? 'Milliseconds' : 'Count' })),
      }],
    });
    expect(parsed).toMatchObject({ Stack: 'prod', SessionsCreated: 2, SessionsDeleted: 1, InterfacesSkipped: 3, ThrottledRetries: 4, DurationMs: 1234, skippedByReason: { 'target-unhealthy': 3 } });
  });
});

describe('configFromEnv: sources from the bundle', () => {
  const { MIRROR_SOURCES: _inline, ...withoutSources } = ENV;

  it('reads MIRROR_SOURCES_FILE from the bundle when MIRROR_SOURCES is not set', () => {
    const read: string[] = [];
    const config = configFromEnv({ ...withoutSources, MIRROR_SOURCES_FILE: 'mirror-sources.json' }, 600_000, (name) => {
      read.push(name);
      return '["app=shop", " traceable-app "]\n';
    });
    expect(config.sources).toEqual(['app=shop', 'traceable-app']);
    expect(read).toEqual(['mirror-sources.json']);
  });

  it('names the variable and the file when the file cannot be read', () => {
    const missing = () => { throw new Error('ENOENT: no such file or directory'); };
    expect(() => configFromEnv({ ...withoutSources, MIRROR_SOURCES_FILE: 'mirror-sources.json' }, 600_000, missing))
      .toThrow('MIRROR_SOURCES_FILE: cannot read mirror-sources.json from the bundle (ENOENT: no such file or directory)');
  });
});

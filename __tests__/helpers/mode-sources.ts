import type { MirrorSourceType } from '../../shared';

/** A valid configuration per source type, for the tests that go through every deployment mode. */
export const SOURCES: Record<MirrorSourceType, Record<string, string>> = {
  LOAD_BALANCER: { MirrorSource: 'web-alb,api-nlb' },
  LOAD_BALANCER_TAGS: { MirrorSource: 'traceable-mirror=true', MirrorSourceVpcId: 'vpc-0aaaaaaaaaaaaaaa1' },
  TARGET_GROUP: { MirrorSource: 'web-tg' },
  ECS_CLUSTER: { MirrorSource: 'web-cluster' },
  INSTANCE_TAGS: { MirrorSource: 'Mirror=True,traceable-mirror', MirrorSourceVpcId: 'vpc-0aaaaaaaaaaaaaaa1,vpc-0aaaaaaaaaaaaaaa2' },
  MANUAL: { MirrorSource: '' },
  FARGATE: { MirrorSource: '', MirrorSourceVpcId: 'vpc-0aaaaaaaaaaaaaaa1' },
};

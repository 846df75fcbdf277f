import { Construct } from 'constructs';
import { resourceNames } from '../shared';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';

export interface AlarmTopicProps {
  /** Prefix of the topic's name (the stack name): the topic is `<namePrefix>-alarms`. */
  readonly namePrefix: string;
  /**
   * ARN of an existing SNS topic (config key AlarmTopicArn) that the stack's alarms notify instead.
   * @default - the stack creates `<namePrefix>-alarms`
   */
  readonly existingTopicArn?: string;
}

/**
 * Where the stack's alarms go: one SNS topic, created here or named by the configuration. Every alarm of the stack
 * (the session Lambda's, the fleet's) takes {@link AlarmTopic.alarmActions}. The created topic is not encrypted
 * with the AWS-managed SNS key: CloudWatch cannot publish to a topic under that key (it would need a customer key
 * whose policy admits cloudwatch.amazonaws.com); name such a topic with AlarmTopicArn instead.
 */
export class AlarmTopic extends Construct {
  /** ARN of the topic (a Terraform reference when created here). */
  readonly topicArn: string;
  /** The created topic; undefined when the configuration names one. */
  readonly topic?: SnsTopic;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    if (props.existingTopicArn) {
      this.topicArn = props.existingTopicArn;
      return;
    }
    this.topic = new SnsTopic(this, 'topic', {
      name: resourceNames(props.namePrefix).alarmTopic,
      displayName: resourceNames(props.namePrefix).alarmTopicDisplayName,
    });
    this.topicArn = this.topic.arn;
  }

  /** The `alarm_actions` (and `ok_actions`) of an alarm that should notify this topic. */
  get alarmActions(): string[] {
    return [this.topicArn];
  }
}

/** Tag keys the stack and its session Lambda write and read; IAM conditions and the doctor use the same keys. */

/** On every resource of a stack (provider default tags); its value is the StackName. */
export const STACK_TAG_KEY = 'traceable:stack';

/** The tag most resources also carry, set by the stack (users' Tags may not use it). */
export const NAME_TAG_KEY = 'Name';

/** Tag keys the stack sets itself, which users' Tags may therefore not use. */
export const STACK_SET_TAG_KEYS = [NAME_TAG_KEY, STACK_TAG_KEY] as const;

/** Marks a traffic mirror session as owned by one stack; its value is the stack name. IAM conditions use the same key. */
export const OWNER_TAG_KEY = 'traceable:mirroring-stack';

/** Names the configured source (load balancer, target group, cluster, instance tag) a session was created for. */
export const SOURCE_TAG_KEY = 'traceable:mirroring-source';

/**
 * Every tag key the stack writes, on its resources and on its sessions: users' Tags may use none of them in any case
 * (IAM compares condition keys such as `aws:ResourceTag/traceable:stack` ignoring case, and its conditions and the
 * doctor read these tags).
 */
export const STACK_OWNED_TAG_KEYS = [...STACK_SET_TAG_KEYS, OWNER_TAG_KEY, SOURCE_TAG_KEY] as const;

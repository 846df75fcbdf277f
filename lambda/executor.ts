import { createHash } from 'node:crypto';
import { CreateTrafficMirrorSessionCommand, DeleteTrafficMirrorSessionCommand } from '@aws-sdk/client-ec2';
import { errorCode, errorMessage, TimeBudgetExhaustedError, type AwsCaller, type AwsClients } from './aws';
import { OWNER_TAG_KEY, SOURCE_TAG_KEY } from '../shared';
import type { SessionChanges, PlannedSkip } from './types';

/**
 * PacketLength of sessions toward a Gateway Load Balancer endpoint: a VPC endpoint drops packets over 8,500 bytes
 * (AWS PrivateLink quotas), and the mirrored copy is the captured bytes plus 36 of outer IPv4, UDP and VXLAN headers,
 * so at most 8,464 bytes of each packet are mirrored. Longer packets (jumbo frames) arrive cut, as toward an NLB's
 * 8,500: the hosts' cut fixer mends them either way. (Whether AWS would cut or drop an 8,536-byte copy is not
 * documented; this length leaves no doubt.)
 */
const ENDPOINT_PACKET_LENGTH = 8500 - 20 - 8 - 8;

export interface ExecutionSettings {
  stackName: string;
  /** The target of creates that name none (target selection `single`). */
  targetId?: string;
  filterId: string;
  /** Identifies this run (the Lambda request id): part of every ClientToken. */
  runId: string;
}

export interface ExecutionError {
  action: 'CreateTrafficMirrorSession' | 'DeleteTrafficMirrorSession';
  resource: string;
  code: string;
  message: string;
}

export interface ExecutionResult {
  created: { interfaceId: string; sessionId: string }[];
  deleted: string[];
  /** Skips learned from EC2's answers while executing (vanished interface, instance type refused). */
  skips: PlannedSkip[];
  errors: ExecutionError[];
  /** Work not started because the time budget ran out; the next run picks it up. */
  deferredCreates: number;
  deferredDeletes: number;
  rejectedInstanceTypes: string[];
}

/** Codes meaning "that interface is gone" (deleted between discovery and create). */
const VANISHED_INTERFACE_CODES = new Set(['InvalidNetworkInterfaceID.NotFound', 'InvalidNetworkInterfaceId.NotFound', 'InvalidNetworkInterfaceId.Malformed']);
const SESSION_GONE_CODES = new Set(['InvalidTrafficMirrorSessionId.NotFound', 'InvalidTrafficMirrorSessionID.NotFound']);

/**
 * Idempotency token of one create: the same for every retry of that create within a run (so a retried call never
 * makes a second session), derived from stack, interface, target, filter and run. The run id is part of it because
 * EC2 remembers tokens for hours: a token reused after our own delete would hand back the deleted session.
 * Duplicates across runs cannot arise from retries, and deciding the session changes removes any that appear.
 */
function sessionClientToken(settings: ExecutionSettings, interfaceId: string, targetId: string): string {
  const material = [settings.stackName, interfaceId, targetId, settings.filterId, settings.runId].join('|');
  return createHash('sha256').update(material).digest('hex').slice(0, 64);
}

function asError(action: ExecutionError['action'], resource: string, error: unknown): ExecutionError {
  return { action, resource, code: errorCode(error), message: errorMessage(error) };
}

/**
 * Carries out a plan: deletes first (they free slots on interfaces), then creates. One interface's failure never
 * stops the others; the time budget is checked before each call and what is left is reported as deferred.
 */
export async function executeSessionChanges(plan: SessionChanges, clients: AwsClients, caller: AwsCaller, settings: ExecutionSettings): Promise<ExecutionResult> {
  const result: ExecutionResult = { created: [], deleted: [], skips: [], errors: [], deferredCreates: 0, deferredDeletes: 0, rejectedInstanceTypes: [] };
  const rejected = new Set<string>();

  for (const [index, planned] of plan.deletes.entries()) {
    if (caller.budget.exhausted()) {
      result.deferredDeletes = plan.deletes.length - index;
      break;
    }
    try {
      await clients.ec2.send(new DeleteTrafficMirrorSessionCommand({ TrafficMirrorSessionId: planned.sessionId }));
      result.deleted.push(planned.sessionId);
    } catch (error) {
      if (SESSION_GONE_CODES.has(errorCode(error))) result.deleted.push(planned.sessionId);
      else if (error instanceof TimeBudgetExhaustedError) {
        result.deferredDeletes = plan.deletes.length - index;
        break;
      } else result.errors.push(asError('DeleteTrafficMirrorSession', planned.sessionId, error));
    }
  }

  for (const [index, planned] of plan.creates.entries()) {
    if (planned.instanceType && rejected.has(planned.instanceType)) {
      result.skips.push({ interfaceId: planned.interfaceId, reason: 'instance-type-rejected-by-ec2' });
      continue;
    }
    if (caller.budget.exhausted()) {
      result.deferredCreates = plan.creates.length - index;
      break;
    }
    const targetId = planned.targetId ?? settings.targetId ?? '';
    // A per-interface target is a Gateway Load Balancer endpoint's: see ENDPOINT_PACKET_LENGTH.
    const packetLength = planned.targetId !== undefined ? { PacketLength: ENDPOINT_PACKET_LENGTH } : {};
    try {
      const response = await clients.ec2.send(
        new CreateTrafficMirrorSessionCommand({
          NetworkInterfaceId: planned.interfaceId,
          TrafficMirrorTargetId: targetId,
          TrafficMirrorFilterId: settings.filterId,
          SessionNumber: planned.sessionNumber,
          ...packetLength,
          Description: `Traceable mirroring of ${planned.source}`.slice(0, 255),
          ClientToken: sessionClientToken(settings, planned.interfaceId, targetId),
          TagSpecifications: [{
            ResourceType: 'traffic-mirror-session',
            Tags: [
              { Key: OWNER_TAG_KEY, Value: settings.stackName },
              { Key: SOURCE_TAG_KEY, Value: planned.source.slice(0, 256) },
              { Key: 'Name', Value: `${settings.stackName}-${planned.interfaceId}`.slice(0, 256) },
            ],
          }],
        }),
      );
      result.created.push({ interfaceId: planned.interfaceId, sessionId: response.TrafficMirrorSession?.TrafficMirrorSessionId ?? '' });
    } catch (error) {
      const code = errorCode(error);
      if (error instanceof TimeBudgetExhaustedError) {
        result.deferredCreates = plan.creates.length - index;
        break;
      } else if (code === 'NetworkInterfaceNotSupported') {
        // EC2 has the final word on instance types: remember the type so the rest of the run does not ask again.
        if (planned.instanceType) rejected.add(planned.instanceType);
        result.skips.push({ interfaceId: planned.interfaceId, reason: 'instance-type-rejected-by-ec2' });
      } else if (VANISHED_INTERFACE_CODES.has(code)) {
        result.skips.push({ interfaceId: planned.interfaceId, reason: 'interface-vanished' });
      } else {
        result.errors.push(asError('CreateTrafficMirrorSession', planned.interfaceId, error));
      }
    }
  }
  result.rejectedInstanceTypes = [...rejected].sort();
  return result;
}

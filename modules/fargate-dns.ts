import { Construct } from 'constructs';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { Route53Zone } from '@cdktf/provider-aws/lib/route53-zone';
import { VXLAN_UDP_PORT } from '../shared';

/** Stands for the packet-forwarder image in the sidecar snippet until the user puts theirs (see the README). */
const PACKET_FORWARDER_IMAGE_PLACEHOLDER = '<PACKET_FORWARDER_IMAGE>';

export interface FargateDnsProps {
  /** VPC of the mirror target NLB; the private zone is associated with it. */
  readonly vpcId: string;
  /**
   * More VPCs to associate with the created private zone (MirrorSourceVpcId: where the Fargate tasks run).
   * @default []
   */
  readonly sourceVpcIds?: readonly string[];
  /** Name of the private hosted zone to create (Route53ZoneName); ignored with {@link existingZoneId}. */
  readonly zoneName: string;
  /**
   * Existing private hosted zone (Route53ZoneId), already associated with the VPCs, that holds the record instead.
   * @default - a private zone {@link zoneName} is created
   */
  readonly existingZoneId?: string;
  /** Name of the alias record inside the zone (Route53SubdomainName). */
  readonly recordName: string;
  /** The mirror target NLB the record points at. */
  readonly loadBalancer: { readonly dnsName: string; readonly zoneId: string };
  /**
   * Image of the packet-forwarder sidecar in {@link FargateDns.sidecarContainerDefinition}.
   * @default PACKET_FORWARDER_IMAGE_PLACEHOLDER
   */
  readonly sidecarImage?: string;
}

/**
 * A stable private name for the mirror target NLB, for MirrorSourceType FARGATE: Fargate tasks cannot be traffic
 * mirror sources, so a packet-forwarder sidecar in each task sends VXLAN copies to this name instead.
 */
export class FargateDns extends Construct {
  /** The created private zone; undefined when an existing zone holds the record. */
  readonly zone?: Route53Zone;
  readonly record: Route53Record;
  /** Full name of the record (e.g. mirroring-fargate.private.traceable.ai). */
  readonly fqdn: string;
  /** A container definition (JSON) to add to the users' Fargate task definitions: the sidecar sending to {@link fqdn}. */
  readonly sidecarContainerDefinition: string;

  constructor(scope: Construct, id: string, props: FargateDnsProps) {
    super(scope, id);

    let zoneId = props.existingZoneId;
    if (!zoneId) {
      const vpcIds = [...new Set([props.vpcId, ...(props.sourceVpcIds ?? [])])];
      this.zone = new Route53Zone(this, 'zone', {
        name: props.zoneName,
        comment: 'Traceable traffic mirroring: private name of the mirror target NLB for Fargate packet forwarders',
        vpc: vpcIds.map((vpcId) => ({ vpcId })),
      });
      zoneId = this.zone.zoneId;
    }

    this.record = new Route53Record(this, 'record', {
      zoneId,
      name: props.recordName,
      type: 'A',
      // Alias: follows the NLB's addresses as they change, and answers only while the NLB has healthy targets.
      alias: { name: props.loadBalancer.dnsName, zoneId: props.loadBalancer.zoneId, evaluateTargetHealth: true },
    });
    this.fqdn = this.record.fqdn;

    // Generic: Traceable's packet-forwarder settings are not public; the README says what to put in.
    this.sidecarContainerDefinition = JSON.stringify({
      name: 'traceable-packet-forwarder',
      image: props.sidecarImage ?? PACKET_FORWARDER_IMAGE_PLACEHOLDER,
      essential: false,
      environment: [
        { name: 'MIRROR_TARGET_HOST', value: this.fqdn },
        { name: 'MIRROR_TARGET_PORT', value: String(VXLAN_UDP_PORT) },
        { name: 'MIRROR_ENCAPSULATION', value: 'VXLAN' },
      ],
    });
  }
}

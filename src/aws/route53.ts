import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  GetChangeCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  type Change,
  type ResourceRecordSet,
  type RRType,
} from '@aws-sdk/client-route-53';
import { AwsCallError } from '../errors.js';
import { sender } from './aws-error.js';
import { type AwsConfig, connectClient } from './client-config.js';
import { allPages } from './pages.js';

export interface RecordInfo {
  name: string;
  type: string;
  values: string[];
  aliasTarget?: string;
}

/** The Route 53 calls meshctl makes, named after their operations. */
export interface Route53Api {
  /** Every private hosted zone (id without the /hostedzone/ prefix, name without the trailing dot). */
  listPrivateHostedZones(): Promise<{ id: string; name: string }[]>;
  /** Every record of a zone, following pages. */
  listResourceRecordSets(zoneId: string): Promise<RecordInfo[]>;
  /** The records of one name (every type and set identifier) exactly as Route 53 holds them, for a DELETE to repeat. */
  listRecordSetsNamed(zoneId: string, name: string): Promise<ResourceRecordSet[]>;
  /** One batch, applied by Route 53 all or nothing; returns the change id to follow with getChange. */
  changeResourceRecordSets(zoneId: string, changes: Change[], comment: string): Promise<string>;
  /** PENDING until every Route 53 server has the batch, then INSYNC. */
  getChange(changeId: string): Promise<'PENDING' | 'INSYNC'>;
  /** A private hosted zone in one VPC (the sandbox's workshop zone); its id without the /hostedzone/ prefix. */
  createHostedZone(name: string, vpc: { vpcId: string; region: string }, callerReference: string): Promise<string>;
}

const noDot = (name: string) => name.replace(/\.$/, '');

export function createRoute53Api(client: Route53Client, endpoint?: string): Route53Api {
  const send = sender(client, endpoint);
  return {
    async createHostedZone(Name, vpc, CallerReference) {
      const out = await send(
        'CreateHostedZone',
        new CreateHostedZoneCommand({
          Name,
          CallerReference,
          VPC: { VPCId: vpc.vpcId, VPCRegion: vpc.region as never },
          HostedZoneConfig: { PrivateZone: true },
        }),
      );
      const id = out.HostedZone?.Id;
      if (!id) throw new AwsCallError('CreateHostedZone', 'EmptyResponse', undefined, 'CreateHostedZone returned no zone');
      return id.replace(/^\/hostedzone\//, '');
    },
    async listPrivateHostedZones() {
      const zones = await allPages(async (Marker) => {
        const out = await send('ListHostedZones', new ListHostedZonesCommand({ Marker }));
        return { items: out.HostedZones ?? [], nextToken: out.IsTruncated ? out.NextMarker : undefined };
      });
      return zones.filter((z) => z.Config?.PrivateZone).map((z) => ({ id: z.Id!.replace(/^\/hostedzone\//, ''), name: noDot(z.Name!) }));
    },
    async listResourceRecordSets(HostedZoneId) {
      const records: RecordInfo[] = [];
      let start: { name?: string; type?: RRType } = {};
      for (;;) {
        const out = await send(
          'ListResourceRecordSets',
          new ListResourceRecordSetsCommand({ HostedZoneId, StartRecordName: start.name, StartRecordType: start.type }),
        );
        for (const r of out.ResourceRecordSets ?? []) {
          records.push({
            name: noDot(r.Name!),
            type: r.Type!,
            values: (r.ResourceRecords ?? []).map((v) => noDot(v.Value ?? '')),
            aliasTarget: r.AliasTarget?.DNSName ? noDot(r.AliasTarget.DNSName) : undefined,
          });
        }
        if (!out.IsTruncated) return records;
        start = { name: out.NextRecordName, type: out.NextRecordType };
      }
    },
    async listRecordSetsNamed(HostedZoneId, name) {
      // Records come sorted by name, so the walk starts at the name and stops at the first other name.
      const wanted = noDot(name).toLowerCase();
      const same = (n: string | undefined) => noDot((n ?? '').replace(/\\052/g, '*')).toLowerCase() === wanted;
      const found: ResourceRecordSet[] = [];
      let start: { name?: string; type?: RRType; id?: string } = { name: `${wanted}.` };
      for (;;) {
        const out = await send(
          'ListResourceRecordSets',
          new ListResourceRecordSetsCommand({
            HostedZoneId,
            StartRecordName: start.name,
            StartRecordType: start.type,
            StartRecordIdentifier: start.id,
          }),
        );
        const page = out.ResourceRecordSets ?? [];
        found.push(...page.filter((r) => same(r.Name)));
        if (!out.IsTruncated || (page.length > 0 && !same(page[page.length - 1]!.Name))) return found;
        start = { name: out.NextRecordName, type: out.NextRecordType, id: out.NextRecordIdentifier };
      }
    },
    async changeResourceRecordSets(HostedZoneId, Changes, Comment) {
      const out = await send(
        'ChangeResourceRecordSets',
        new ChangeResourceRecordSetsCommand({ HostedZoneId, ChangeBatch: { Changes, Comment } }),
      );
      return out.ChangeInfo!.Id!.replace(/^\/change\//, '');
    },
    async getChange(Id) {
      const out = await send('GetChange', new GetChangeCommand({ Id }));
      return out.ChangeInfo?.Status === 'INSYNC' ? 'INSYNC' : 'PENDING';
    },
  };
}

export function connectRoute53(config: AwsConfig): Route53Api {
  return createRoute53Api(connectClient(Route53Client, 'route53', config), config.endpointUrl);
}

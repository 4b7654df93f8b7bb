import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import {
  CreateServiceCommand as CreateCloudMapServiceCommand,
  ListNamespacesCommand,
  ServiceDiscoveryClient,
} from '@aws-sdk/client-servicediscovery';
import { beforeEach, describe, expect, it } from 'vitest';
import { seedClusterWorld } from '../support/cluster-world.js';
import { startFaultProxy } from '../support/fault-proxy.js';
import { expectJsonMatchesSchema } from '../support/json-schemas.js';
import { useMotoWorkshop } from '../support/moto-workshop.js';
import { REGION, sdkClients } from '../support/workshop.js';

// What migrate cleanup lists and never deletes: stacks whose templates still declare AWS::AppMesh::*
// resources, a Cloud Map service no ECS service registers in, and a Route 53 record that points at it.
const env = useMotoWorkshop();
const config = () => ({ endpoint: env.moto.url, region: REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });

const MESH_STACK_YAML = `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Mesh:
    Type: AWS::AppMesh::Mesh
    Properties:
      MeshName: appmesh-workshop
  CrystalNode:
    Type: AWS::AppMesh::VirtualNode
    Properties:
      MeshName: !GetAtt Mesh.MeshName
      VirtualNodeName: crystal-lb-vanilla
      Spec: {}
  Logs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub '\${AWS::StackName}-envoy'
`;
const PLAIN_STACK_JSON = JSON.stringify({ Resources: { Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'alerts' } } } });
const GATEWAY_STACK_JSON = JSON.stringify({
  Resources: {
    Gateway: { Type: 'AWS::AppMesh::VirtualGateway', Properties: { MeshName: 'm', VirtualGatewayName: 'gw', Spec: {} } },
    Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'gw-alerts' } },
  },
});

beforeEach(async () => {
  await env.seeded('cluster', seedClusterWorld);
  const cfn = new CloudFormationClient(config());
  await cfn.send(new CreateStackCommand({ StackName: 'appmesh-workshop-mesh', TemplateBody: MESH_STACK_YAML }));
  await cfn.send(new CreateStackCommand({ StackName: 'alerts', TemplateBody: PLAIN_STACK_JSON }));
  await cfn.send(new CreateStackCommand({ StackName: 'edge-gateway', TemplateBody: GATEWAY_STACK_JSON }));
  const sd = new ServiceDiscoveryClient(config());
  const local = (await sd.send(new ListNamespacesCommand({}))).Namespaces!.find((n) => n.Name === 'local')!;
  await sd.send(
    new CreateCloudMapServiceCommand({
      Name: 'legacy',
      NamespaceId: local.Id!,
      DnsConfig: { RoutingPolicy: 'MULTIVALUE', DnsRecords: [{ Type: 'A', TTL: 60 }] },
    }),
  );
  const vpcId = (await sdkClients(env.moto.url).ec2.send(new DescribeSubnetsCommand({ SubnetIds: [env.ws.subnetId] }))).Subnets![0]!.VpcId!;
  const r53 = new Route53Client(config());
  const zone = await r53.send(
    new CreateHostedZoneCommand({
      Name: 'shop.internal',
      CallerReference: `shop-${Date.now()}`,
      VPC: { VPCId: vpcId, VPCRegion: REGION },
      HostedZoneConfig: { PrivateZone: true },
    }),
  );
  await r53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zone.HostedZone!.Id!,
      ChangeBatch: {
        Changes: [
          {
            Action: 'CREATE',
            ResourceRecordSet: { Name: 'legacy.shop.internal', Type: 'CNAME', TTL: 60, ResourceRecords: [{ Value: 'legacy.local' }] },
          },
          {
            Action: 'CREATE',
            ResourceRecordSet: { Name: 'inventory.shop.internal', Type: 'A', TTL: 60, ResourceRecords: [{ Value: '10.0.1.10' }] },
          },
        ],
      },
    }),
  );
});

interface Listed {
  kind: string;
  name: string;
  why: string;
  resources: { logicalId: string; type: string }[] | null;
}

describe('migrate cleanup lists what it leaves for a person', () => {
  it('lists the stacks that declare App Mesh resources with their logical IDs, the orphaned Cloud Map service and the record pointing at it', async () => {
    const r = await env.cli(['migrate', 'cleanup', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expectJsonMatchesSchema(['migrate', 'cleanup'], r.stdout);
    const listed: Listed[] = JSON.parse(r.stdout).listed;
    const stacks = listed.filter((l) => l.kind === 'CloudFormation stack');
    expect(stacks.map((s) => s.name).sort()).toEqual(['appmesh-workshop-mesh', 'edge-gateway']);
    expect(stacks.find((s) => s.name === 'appmesh-workshop-mesh')!.resources).toEqual([
      { logicalId: 'Mesh', type: 'AWS::AppMesh::Mesh' },
      { logicalId: 'CrystalNode', type: 'AWS::AppMesh::VirtualNode' },
    ]);
    expect(stacks.find((s) => s.name === 'edge-gateway')!.resources).toEqual([
      { logicalId: 'Gateway', type: 'AWS::AppMesh::VirtualGateway' },
    ]);
    expect(listed).toContainEqual(expect.objectContaining({ kind: 'Cloud Map service', name: 'legacy.local', resources: null }));
    const records = listed.filter((l) => l.kind === 'Route 53 record');
    expect(records).toEqual([
      expect.objectContaining({ name: 'legacy.shop.internal CNAME (zone shop.internal)', why: expect.stringMatching(/legacy\.local/) }),
    ]);

    const text = await env.cli(['migrate', 'cleanup']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(
      /left for you: CloudFormation stack appmesh-workshop-mesh \(declares Mesh \(AWS::AppMesh::Mesh\), CrystalNode \(AWS::AppMesh::VirtualNode\);/,
    );
    expect(text.stdout).not.toMatch(/stack alerts/);
  });

  it('lists, never deletes: with --yes the stacks, the Cloud Map service and the record are all still there', async () => {
    const r = await env.cli(['migrate', 'cleanup', '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const again = JSON.parse((await env.cli(['migrate', 'cleanup', '--json'])).stdout).listed as Listed[];
    expect(again.filter((l) => l.kind === 'CloudFormation stack')).toHaveLength(2);
    expect(again.filter((l) => l.kind === 'Route 53 record')).toHaveLength(1);
    expect(again.filter((l) => l.name === 'legacy.local')).toHaveLength(1);
  });
});

describe('migrate cleanup without cloudformation:ListStacks', () => {
  it('warns that stacks are not listed and still lists and plans the rest (exit 0)', async () => {
    const proxy = await startFaultProxy(env.moto.url, [{ kind: '403', rate: 1, operations: ['ListStacks'] }]);
    try {
      const r = await env.cli(['migrate', 'cleanup', '--json'], {}, proxy.url);
      expect(r.code, r.stderr).toBe(0);
      expect(proxy.injected.map((i) => i.operation)).toContain('ListStacks');
      expect(r.stderr).toMatch(/warning: .*ListStacks.*; CloudFormation stacks that still declare App Mesh resources are not listed/);
      const listed = JSON.parse(r.stdout).listed as Listed[];
      expect(listed.filter((l) => l.kind === 'CloudFormation stack')).toEqual([]);
      expect(listed).toContainEqual(expect.objectContaining({ kind: 'Cloud Map service', name: 'legacy.local' }));
    } finally {
      await proxy.close();
    }
  });
});

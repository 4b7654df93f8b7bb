import {
  CloudFormationClient,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListExportsCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Ec2Api } from '../../src/aws/ec2.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { createCloudFormationApi, type CloudFormationApi } from '../../src/aws/cloudformation.js';
import { fromCloudFormation } from '../../src/core/mesh/sources/cloudformation.js';
import { AwsCallError } from '../../src/errors.js';
import type { Context } from '../../src/runtime/context.js';
import { readTemplates } from '../../src/steps/cfn-stack.js';

const config = { region: 'us-west-2', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 };
const cfn = mockClient(CloudFormationClient);
beforeEach(() => cfn.reset());

const api = () => createCloudFormationApi(new CloudFormationClient(config));
const named = (name: string, message: string, status = 400) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
const ARN = (name: string) => `arn:aws:cloudformation:eu-west-1:111122223333:stack/${name}/0a1b`;

describe('the CloudFormation calls a deployed stack needs', () => {
  it('DescribeStacks: parameter values (an SSM one resolved), NoEcho ones named as hidden, and outputs', async () => {
    cfn.on(DescribeStacksCommand, { StackName: 'app' }).resolves({
      Stacks: [
        {
          StackName: 'app',
          StackId: ARN('app'),
          CreationTime: new Date(0),
          StackStatus: 'CREATE_COMPLETE',
          Parameters: [
            { ParameterKey: 'ProjectName', ParameterValue: 'howto' },
            { ParameterKey: 'Password', ParameterValue: '****' },
            { ParameterKey: 'Ami', ParameterValue: '/ami/latest', ResolvedValue: 'ami-1' },
          ],
          Outputs: [{ OutputKey: 'MeshName', OutputValue: 'howto' }],
        },
      ],
    });
    expect(await api().describeStack('app')).toEqual({
      id: ARN('app'),
      name: 'app',
      parameters: { ProjectName: 'howto', Ami: 'ami-1' },
      hidden: ['Password'],
      outputs: { MeshName: 'howto' },
    });
  });

  it('DescribeStacks: a stack that does not exist is undefined; any other failure is thrown', async () => {
    cfn.on(DescribeStacksCommand, { StackName: 'gone' }).rejects(named('ValidationError', 'Stack with id gone does not exist'));
    cfn.on(DescribeStacksCommand, { StackName: 'slow' }).rejects(named('Throttling', 'Rate exceeded'));
    expect(await api().describeStack('gone')).toBeUndefined();
    await expect(api().describeStack('slow')).rejects.toBeInstanceOf(AwsCallError);
  });

  it('ListStackResources and ListExports follow every page', async () => {
    cfn
      .on(ListStackResourcesCommand)
      .resolvesOnce({
        StackResourceSummaries: [
          {
            LogicalResourceId: 'A',
            PhysicalResourceId: 'a-1',
            ResourceType: 'AWS::ECS::Cluster',
            LastUpdatedTimestamp: new Date(0),
            ResourceStatus: 'CREATE_COMPLETE',
          },
        ],
        NextToken: 't',
      })
      .resolvesOnce({
        StackResourceSummaries: [
          { LogicalResourceId: 'B', ResourceType: 'AWS::SNS::Topic', LastUpdatedTimestamp: new Date(0), ResourceStatus: 'CREATE_FAILED' },
        ],
      });
    cfn
      .on(ListExportsCommand)
      .resolvesOnce({ Exports: [{ Name: 'infra-Vpc', Value: 'vpc-1' }], NextToken: 'n' })
      .resolvesOnce({ Exports: [{ Name: 'infra-Ns', Value: 'ns-1' }] });
    expect(await api().listStackResources('app')).toEqual([
      { logicalId: 'A', physicalId: 'a-1', type: 'AWS::ECS::Cluster' },
      { logicalId: 'B', type: 'AWS::SNS::Topic' },
    ]);
    expect(await api().listExports()).toEqual({ 'infra-Vpc': 'vpc-1', 'infra-Ns': 'ns-1' });
    expect(cfn.commandCalls(ListExportsCommand)[1]!.args[0].input).toEqual({ NextToken: 'n' });
  });
});

// ---- The step: a parent stack whose nested stack declares the Cloud Map service and outputs its name.

const PARENT = `
Parameters:
  ProjectName: { Type: String }
  Secret: { Type: String, NoEcho: true }
Resources:
  Discovery:
    Type: AWS::CloudFormation::Stack
    Properties: { TemplateURL: https://example.com/discovery.yaml, Parameters: { ProjectName: !Ref ProjectName } }
  Node:
    Type: AWS::AppMesh::VirtualNode
    Properties:
      MeshName: !ImportValue shared-MeshName
      VirtualNodeName: !Sub '\${ProjectName}-\${AWS::Region}-node'
      Spec:
        Listeners: [{ PortMapping: { Port: 8080, Protocol: http } }]
        ServiceDiscovery:
          AWSCloudMap:
            NamespaceName: !Sub '\${ProjectName}.local'
            ServiceName: !GetAtt Discovery.Outputs.ServiceName
`;
const NESTED = `
Parameters:
  ProjectName: { Type: String }
Resources:
  Registry: { Type: AWS::ServiceDiscovery::Service, Properties: { Name: color } }
Outputs:
  ServiceName: { Value: !GetAtt Registry.Name }
`;

/** A CloudFormation API over two stacks, counting the calls. */
function fakeStacks(): CloudFormationApi & { calls: string[] } {
  const calls: string[] = [];
  const stacks: Record<
    string,
    { name: string; body: string; parameters: Record<string, string>; hidden: string[]; outputs: Record<string, string> }
  > = {
    [ARN('app')]: { name: 'app', body: PARENT, parameters: { ProjectName: 'howto' }, hidden: ['Secret'], outputs: {} },
    [ARN('app-Discovery')]: {
      name: 'app-Discovery',
      body: NESTED,
      parameters: { ProjectName: 'howto' },
      hidden: [],
      outputs: { ServiceName: 'color' },
    },
  };
  const find = (name: string) => Object.entries(stacks).find(([id, s]) => id === name || s.name === name);
  return {
    calls,
    listStacks: async () => [],
    async getTemplate(name) {
      calls.push(`GetTemplate ${name}`);
      return find(name)![1].body;
    },
    async describeStack(name) {
      calls.push(`DescribeStacks ${name}`);
      const found = find(name);
      return (
        found && { id: found[0], name: found[1].name, parameters: found[1].parameters, hidden: found[1].hidden, outputs: found[1].outputs }
      );
    },
    async listStackResources(name) {
      calls.push(`ListStackResources ${name}`);
      return find(name)![1].name === 'app'
        ? [{ logicalId: 'Discovery', physicalId: ARN('app-Discovery'), type: 'AWS::CloudFormation::Stack' }]
        : [{ logicalId: 'Registry', physicalId: 'srv-1', type: 'AWS::ServiceDiscovery::Service' }];
    },
    async listExports() {
      calls.push('ListExports');
      return { 'shared-MeshName': 'shared' };
    },
  };
}
const contextOn = (cf: CloudFormationApi) => () =>
  ({ region: 'us-west-2', aws: { cloudFormation: async () => cf }, checkpoint: () => {} }) as unknown as Context;
const inputs = (stacks: string[], parameters: Record<string, string> = {}) => ({ stacks, parameters, exports: {} });

describe('readTemplates: deployed stacks', () => {
  it('reads each stack once, follows the nested stack, and gives its outputs to Fn::GetAtt', async () => {
    const cf = fakeStacks();
    const sources = await readTemplates(undefined, inputs(['app', 'app', ARN('app')]), contextOn(cf));
    expect(sources.map((s) => s.source)).toEqual(['stack app', 'stack app-Discovery']);
    expect(cf.calls.filter((c) => c.startsWith('GetTemplate'))).toEqual([
      `GetTemplate ${ARN('app')}`,
      `GetTemplate ${ARN('app-Discovery')}`,
    ]);
    expect(cf.calls.filter((c) => c === 'ListExports')).toHaveLength(1);
    const [mesh] = fromCloudFormation(sources[0]!.template, sources[0]!.source, sources[0]!.deployment);
    // The region of the stack's ARN, not the client's; the mesh from the account's exports.
    expect(mesh!.mesh).toBe('shared');
    expect(mesh!.virtualNodes).toEqual([
      expect.objectContaining({ name: 'howto-eu-west-1-node', discovery: { cloudMap: { namespace: 'howto.local', service: 'color' } } }),
    ]);
    expect(mesh!.unresolved).toEqual([]);
  });

  it('refuses a --parameter no template declares (exit 2), and lets one given replace a NoEcho value', async () => {
    await expect(readTemplates(undefined, inputs(['app'], { Nope: 'x' }), contextOn(fakeStacks()))).rejects.toThrow(
      "--parameter Nope: no such parameter in the stacks' templates (its parameters: ProjectName, Secret)",
    );
    const [app] = await readTemplates(undefined, inputs(['app'], { Secret: 's' }), contextOn(fakeStacks()));
    expect(app!.deployment.parameters).toEqual({ ProjectName: 'howto', Secret: 's' });
    expect(app!.deployment.hidden).toEqual(['Secret']);
  });

  it('a stack that does not exist is exit 3 naming it', async () => {
    const err = await readTemplates(undefined, inputs(['nope']), contextOn(fakeStacks())).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AwsCallError);
    expect((err as AwsCallError).exitCode).toBe(3);
    expect((err as Error).message).toMatch(/--from-stack: stack "nope" does not exist/);
  });

  it('GetTemplate asks for the Original stage', async () => {
    cfn.on(GetTemplateCommand).resolves({ TemplateBody: 'Resources: {}' });
    expect(await api().getTemplate('app')).toBe('Resources: {}');
    expect(cfn.commandCalls(GetTemplateCommand)[0]!.args[0].input).toEqual({ StackName: 'app', TemplateStage: 'Original' });
  });
});

describe('readTemplates: each stack read once, and only what is needed', () => {
  const reads = (cf: { calls: string[] }) => {
    const count: Record<string, number> = {};
    for (const c of cf.calls.filter((c) => c !== 'ListExports')) {
      const [op, name] = c.split(' ');
      // A stack named by its name or its ARN is one stack.
      const key = `${op} ${name!.startsWith('arn:') ? name!.split('/')[1] : name}`;
      count[key] = (count[key] ?? 0) + 1;
    }
    return count;
  };

  it('a stack named twice, by name and ARN, or also reached as a nested stack: one GetTemplate, DescribeStacks, ListStackResources each', async () => {
    const cf = fakeStacks();
    const sources = await readTemplates(
      undefined,
      inputs(['app', 'app-Discovery', ARN('app'), 'app', ARN('app-Discovery')]),
      contextOn(cf),
    );
    expect(sources.map((s) => s.source)).toEqual(['stack app', 'stack app-Discovery']);
    expect(reads(cf)).toEqual({
      'DescribeStacks app': 1,
      'GetTemplate app': 1,
      'ListStackResources app': 1,
      'DescribeStacks app-Discovery': 1,
      'GetTemplate app-Discovery': 1,
      'ListStackResources app-Discovery': 1,
    });
    // The nested stack's outputs reach the parent although it was also named on its own.
    expect(sources[0]!.deployment.attributes).toEqual({ Discovery: { 'Outputs.ServiceName': 'color' } });
  });

  it('the nested stack named first: still read once, and its outputs still reach the parent', async () => {
    const cf = fakeStacks();
    const sources = await readTemplates(undefined, inputs(['app-Discovery', 'app']), contextOn(cf));
    expect(Object.values(reads(cf)).every((n) => n === 1)).toBe(true);
    expect(sources.find((s) => s.source === 'stack app')!.deployment.attributes).toEqual({ Discovery: { 'Outputs.ServiceName': 'color' } });
  });

  it('no ListExports when --export gives every name the templates import; one when a name is missing', async () => {
    const given = await fakeStacks();
    const [app] = await readTemplates(undefined, { ...inputs(['app']), exports: { 'shared-MeshName': 'mine' } }, contextOn(given));
    expect(given.calls).not.toContain('ListExports');
    expect(app!.deployment.exports).toEqual({ 'shared-MeshName': 'mine' });
    const other = fakeStacks();
    const [app2] = await readTemplates(undefined, { ...inputs(['app']), exports: { 'other-Name': 'x' } }, contextOn(other));
    expect(other.calls.filter((c) => c === 'ListExports')).toHaveLength(1);
    expect(app2!.deployment.exports).toEqual({ 'shared-MeshName': 'shared', 'other-Name': 'x' });
  });

  it('an import whose name is computed (Fn::Sub of a parameter) counts as given when --export names the result', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshctl-cfn-'));
    const file = join(dir, 't.yaml');
    writeFileSync(
      file,
      "Parameters: { Env: { Type: String } }\nResources:\n  M: { Type: AWS::AppMesh::Mesh, Properties: { MeshName: !ImportValue { 'Fn::Sub': '${Env}-Mesh' } } }\n",
    );
    const cf = fakeStacks();
    const [t] = await readTemplates(file, { stacks: [], parameters: { Env: 'dev' }, exports: { 'dev-Mesh': 'm' } }, contextOn(cf));
    expect(cf.calls).toEqual([]);
    expect(fromCloudFormation(t!.template, t!.source, t!.deployment)[0]!.mesh).toBe('m');
  });
});

describe('readTemplates: Fn::GetAZs from EC2', () => {
  const TEMPLATE = 'Resources:\n  M: { Type: AWS::AppMesh::Mesh, Properties: { MeshName: !Select [1, !GetAZs ""] } }\n';
  const withEc2 = (ec2: Partial<Ec2Api>) => () =>
    ({ region: 'us-west-2', aws: { ec2: async () => ec2 }, checkpoint: () => {} }) as unknown as Context;
  const file = () => {
    const path = join(mkdtempSync(join(tmpdir(), 'meshctl-cfn-')), 't.yaml');
    writeFileSync(path, TEMPLATE);
    return path;
  };

  it('the zones with a default subnet, in alphabetical order', async () => {
    const ec2 = {
      describeAvailabilityZones: async () => ['us-west-2c', 'us-west-2a', 'us-west-2b', 'us-west-2d'],
      describeDefaultSubnetZones: async () => ['us-west-2c', 'us-west-2b', 'us-west-2a'],
    };
    const [t] = await readTemplates(file(), { stacks: [], parameters: {}, exports: {} }, withEc2(ec2));
    expect(t!.deployment.availabilityZones).toEqual(['us-west-2a', 'us-west-2b', 'us-west-2c']);
    expect(fromCloudFormation(t!.template, t!.source, t!.deployment)[0]!.mesh).toBe('us-west-2b');
  });

  it('EC2 refusing: a note, and Fn::GetAZs stays a named unknown', async () => {
    const refused = new AwsCallError(
      'DescribeAvailabilityZones',
      'UnauthorizedOperation',
      403,
      'not authorized to DescribeAvailabilityZones',
    );
    const ec2 = { describeAvailabilityZones: () => Promise.reject(refused), describeDefaultSubnetZones: async () => [] };
    const [t] = await readTemplates(file(), { stacks: [], parameters: {}, exports: {} }, withEc2(ec2));
    expect(t!.notes).toEqual([expect.stringMatching(/Availability Zones could not be read \(not authorized.*Fn::GetAZs stays unknown/)]);
    expect(t!.deployment.availabilityZones).toBeUndefined();
  });
});

describe("readTemplates: a deployed load balancer's DNS name (a node discovered by it)", () => {
  const LB_ARN = 'arn:aws:elasticloadbalancing:us-west-2:111122223333:loadbalancer/app/front/50dc6c495c0c9188';
  const TEMPLATE = `
Resources:
  FrontLB: { Type: AWS::ElasticLoadBalancingV2::LoadBalancer, Properties: { Type: application } }
  Group: { Type: AWS::EC2::SecurityGroup, Properties: { GroupDescription: front } }
  Front:
    Type: AWS::AppMesh::VirtualNode
    Properties:
      MeshName: m
      VirtualNodeName: front
      Spec:
        Listeners: [{ PortMapping: { Port: 80, Protocol: http } }]
        ServiceDiscovery: { DNS: { Hostname: !GetAtt FrontLB.DNSName } }
  Other:
    Type: AWS::AppMesh::VirtualNode
    Properties:
      MeshName: m
      VirtualNodeName: other
      Spec:
        Listeners: [{ PortMapping: { Port: 80, Protocol: http } }]
        ServiceDiscovery: { DNS: { Hostname: !GetAtt Group.GroupId } }
`;
  const stack = (calls: string[]): CloudFormationApi => ({
    listStacks: async () => [],
    getTemplate: async () => TEMPLATE,
    describeStack: async () => ({ id: ARN('front'), name: 'front', parameters: {}, hidden: [], outputs: {} }),
    listStackResources: async () => [
      { logicalId: 'FrontLB', physicalId: LB_ARN, type: 'AWS::ElasticLoadBalancingV2::LoadBalancer' },
      { logicalId: 'Group', physicalId: 'sg-1', type: 'AWS::EC2::SecurityGroup' },
    ],
    listExports: async () => (calls.push('ListExports'), {}),
  });
  const withElb =
    (calls: string[], describeLoadBalancers: (arns: readonly string[]) => Promise<{ arn: string; dnsName?: string }[]>) => () =>
      ({
        region: 'us-west-2',
        aws: {
          cloudFormation: async () => stack(calls),
          elbv2: async () => ({
            describeLoadBalancers: (arns: readonly string[]) => (
              calls.push(`DescribeLoadBalancers ${arns.join(',')}`),
              describeLoadBalancers(arns)
            ),
          }),
        },
        checkpoint: () => {},
      }) as unknown as Context;
  const hostnames = (t: Awaited<ReturnType<typeof readTemplates>>[number]) => {
    const [found] = fromCloudFormation(t.template, t.source, t.deployment);
    return Object.fromEntries(found!.virtualNodes.map((n) => [n.name, JSON.stringify(n.discovery)]));
  };

  it('--from-stack reads it with one DescribeLoadBalancers; an attribute meshctl does not read says to set it in a mesh file', async () => {
    const calls: string[] = [];
    const [t] = await readTemplates(
      undefined,
      inputs(['front']),
      withElb(calls, async () => [{ arn: LB_ARN, dnsName: 'front-1.elb.example' }]),
    );
    expect(calls).toEqual([`DescribeLoadBalancers ${LB_ARN}`]);
    expect(hostnames(t!).front).toContain('front-1.elb.example');
    const [found] = fromCloudFormation(t!.template, t!.source, t!.deployment);
    expect(found!.unresolved.join('\n')).toMatch(/Fn::GetAtt Group\.GroupId: .*meshctl does not read it from AWS: set it in a mesh file/);
    expect(found!.unresolved.join('\n')).not.toMatch(/FrontLB/);
  });

  it('ELB refusing: a note, and the DNS name stays a named unknown', async () => {
    const refused = new AwsCallError('DescribeLoadBalancers', 'AccessDenied', 403, 'not authorized to DescribeLoadBalancers');
    const [t] = await readTemplates(
      undefined,
      inputs(['front']),
      withElb([], () => Promise.reject(refused)),
    );
    expect(t!.notes).toEqual([expect.stringMatching(/load balancers could not be read \(not authorized.*DNSName stays unknown/)]);
    const [found] = fromCloudFormation(t!.template, t!.source, t!.deployment);
    expect(found!.unresolved.join('\n')).toMatch(/Fn::GetAtt FrontLB\.DNSName: .*known once the stack is deployed/);
  });
});

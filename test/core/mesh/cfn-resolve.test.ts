import { describe, expect, it } from 'vitest';
import { CFN_LIMITS, CfnResolver, NO_VALUE, Unknown, type CfnDeployment } from '../../../src/core/mesh/sources/cfn-resolve.js';
import { fromCloudFormation } from '../../../src/core/mesh/sources/cloudformation.js';
import { InputError } from '../../../src/errors.js';

type Obj = Record<string, unknown>;

// A template of the shape AWS's App Mesh ECS walkthroughs use: names built from parameters without defaults,
// a Cloud Map service whose Name a node reads through Fn::GetAtt, a condition, a mapping.
const TEMPLATE: Obj = {
  Parameters: {
    ProjectName: { Type: 'String' },
    EnvironmentName: { Type: 'String', Default: 'dev' },
    Ports: { Type: 'CommaDelimitedList', Default: '8080, 9080' },
    WithCanary: { Type: 'String', Default: 'false', AllowedValues: ['true', 'false'] },
    Secret: { Type: 'String', NoEcho: true },
    Latest: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/ami/latest' },
  },
  Mappings: { Sizes: { dev: { Port: 8080 }, prod: { Port: 80 } } },
  Conditions: {
    Canary: { 'Fn::Equals': [{ Ref: 'WithCanary' }, 'true'] },
    NotCanary: { 'Fn::Not': [{ Condition: 'Canary' }] },
    Prod: { 'Fn::Equals': [{ Ref: 'EnvironmentName' }, 'prod'] },
    ProdCanary: { 'Fn::And': [{ Condition: 'Prod' }, { Condition: 'Canary' }] },
    ProdOrCanary: { 'Fn::Or': [{ Condition: 'Prod' }, { Condition: 'Canary' }] },
    ByProject: { 'Fn::Equals': [{ Ref: 'ProjectName' }, 'x'] },
    ProdOrProject: { 'Fn::Or': [{ Condition: 'Prod' }, { Condition: 'ByProject' }] },
    NotProdAndProject: { 'Fn::And': [{ Condition: 'Prod' }, { Condition: 'ByProject' }] },
    Loop: { 'Fn::Not': [{ Condition: 'Loop' }] },
  },
  Resources: {
    Namespace: { Type: 'AWS::ServiceDiscovery::PrivateDnsNamespace', Properties: { Name: { 'Fn::Sub': '${ProjectName}.local' } } },
    ColorRegistry: { Type: 'AWS::ServiceDiscovery::Service', Properties: { Name: 'color', NamespaceId: { Ref: 'Namespace' } } },
    Record: { Type: 'AWS::Route53::RecordSet', Properties: { Name: 'gw.example.internal.' } },
    Mesh: { Type: 'AWS::AppMesh::Mesh', Properties: { MeshName: { Ref: 'ProjectName' } } },
    Node: {
      Type: 'AWS::AppMesh::VirtualNode',
      Properties: { MeshName: { 'Fn::GetAtt': ['Mesh', 'MeshName'] }, VirtualNodeName: { 'Fn::Sub': '${ProjectName}-color-node' } },
    },
    Unnamed: { Type: 'AWS::AppMesh::VirtualNode', Properties: { MeshName: 'm' } },
    Cluster: { Type: 'AWS::ECS::Cluster', Properties: {} },
    Nested: { Type: 'AWS::CloudFormation::Stack', Properties: { TemplateURL: 'https://example.com/t.yaml' } },
    CanaryNode: { Type: 'AWS::AppMesh::VirtualNode', Condition: 'Canary', Properties: { MeshName: 'm', VirtualNodeName: 'canary' } },
    ProjectNode: { Type: 'AWS::AppMesh::VirtualNode', Condition: 'ByProject', Properties: { MeshName: 'm', VirtualNodeName: 'p' } },
  },
};

const GIVEN: CfnDeployment = {
  parameters: { ProjectName: 'howto' },
  stackName: 'colorapp',
  region: 'eu-west-1',
  accountId: '111122223333',
  exports: { 'infra-VpcId': 'vpc-1' },
  physicalIds: { Cluster: 'colorapp-cluster-1', Unnamed: 'arn:aws:appmesh:eu-west-1:111122223333:mesh/m/virtualNode/blue-node' },
  attributes: { Nested: { 'Outputs.ServiceName': 'from-nested' } },
};
const resolve = (v: unknown, deployment: CfnDeployment = GIVEN, template: Obj = TEMPLATE) =>
  new CfnResolver(template, deployment, 't.yaml').value(v, 'X.Properties.Name');
const why = (v: unknown) => (v instanceof Unknown ? v.why : v);

describe('CfnResolver', () => {
  it.each<[string, unknown, unknown]>([
    ['Ref of a given parameter', { Ref: 'ProjectName' }, 'howto'],
    ['Ref of a Default', { Ref: 'EnvironmentName' }, 'dev'],
    ['Ref of a list parameter', { Ref: 'Ports' }, ['8080', '9080']],
    ['Ref of a resource by physical ID', { Ref: 'Cluster' }, 'colorapp-cluster-1'],
    ['Ref of an App Mesh resource: its name', { Ref: 'Node' }, 'howto-color-node'],
    ['Ref of a record set: its name', { Ref: 'Record' }, 'gw.example.internal.'],
    ['AWS::StackName', { Ref: 'AWS::StackName' }, 'colorapp'],
    ['AWS::Region', { Ref: 'AWS::Region' }, 'eu-west-1'],
    ['AWS::AccountId', { Ref: 'AWS::AccountId' }, '111122223333'],
    ['AWS::Partition', { Ref: 'AWS::Partition' }, 'aws'],
    ['AWS::URLSuffix', { Ref: 'AWS::URLSuffix' }, 'amazonaws.com'],
    ['AWS::NoValue', { Ref: 'AWS::NoValue' }, NO_VALUE],
    ['Fn::GetAtt of a Cloud Map service Name', { 'Fn::GetAtt': ['ColorRegistry', 'Name'] }, 'color'],
    ['Fn::GetAtt "a.b" of a namespace Name through Fn::Sub', { 'Fn::GetAtt': 'Namespace.Name' }, 'howto.local'],
    ['Fn::GetAtt of a record set Name', { 'Fn::GetAtt': ['Record', 'Name'] }, 'gw.example.internal.'],
    ['Fn::GetAtt of a node name', { 'Fn::GetAtt': ['Node', 'VirtualNodeName'] }, 'howto-color-node'],
    ['Fn::GetAtt of a name left to CloudFormation: from the ARN', { 'Fn::GetAtt': ['Unnamed', 'VirtualNodeName'] }, 'blue-node'],
    ["Fn::GetAtt of a nested stack's output", { 'Fn::GetAtt': ['Nested', 'Outputs.ServiceName'] }, 'from-nested'],
    ['a short form split at every dot', { 'Fn::GetAtt': ['Nested', 'Outputs', 'ServiceName'] }, 'from-nested'],
    ['Fn::Sub of a string', { 'Fn::Sub': '${ProjectName}.${AWS::Region}.${ColorRegistry.Name}' }, 'howto.eu-west-1.color'],
    ['Fn::Sub with variables', { 'Fn::Sub': ['${A}-${B}', { A: 'a', B: { Ref: 'EnvironmentName' } }] }, 'a-dev'],
    ['Fn::Sub with ${!Literal}', { 'Fn::Sub': '${!Literal}-${ProjectName}' }, '${Literal}-howto'],
    ['Fn::Join', { 'Fn::Join': ['.', ['a', { Ref: 'ProjectName' }, 3]] }, 'a.howto.3'],
    ['Fn::Select', { 'Fn::Select': ['1', { Ref: 'Ports' }] }, '9080'],
    ['Fn::Split', { 'Fn::Split': ['.', 'a.b.c'] }, ['a', 'b', 'c']],
    ['Fn::Select of Fn::Split', { 'Fn::Select': [0, { 'Fn::Split': ['-', { Ref: 'AWS::StackName' }] }] }, 'colorapp'],
    ['Fn::FindInMap', { 'Fn::FindInMap': ['Sizes', { Ref: 'EnvironmentName' }, 'Port'] }, 8080],
    ['Fn::ImportValue', { 'Fn::ImportValue': 'infra-VpcId' }, 'vpc-1'],
    ['Fn::ImportValue of a Fn::Sub', { 'Fn::ImportValue': { 'Fn::Sub': 'infra-VpcId' } }, 'vpc-1'],
    ['Fn::Base64', { 'Fn::Base64': 'héllo' }, 'aMOpbGxv'],
    ['Fn::Length', { 'Fn::Length': [1, 2, 3] }, 3],
    ['Fn::If (false)', { 'Fn::If': ['Canary', 'a', 'b'] }, 'b'],
    ['Fn::If (Fn::Not)', { 'Fn::If': ['NotCanary', 'a', 'b'] }, 'a'],
    ['Fn::If (Fn::And)', { 'Fn::If': ['ProdCanary', 'a', 'b'] }, 'b'],
    ['Fn::If (Fn::Or)', { 'Fn::If': ['ProdOrCanary', 'a', 'b'] }, 'b'],
    ['Fn::If (Fn::Or of a given value)', { 'Fn::If': ['ByProject', 'a', 'b'] }, 'b'],
    ['Fn::If to AWS::NoValue in a list', [{ 'Fn::If': ['Canary', 'x', { Ref: 'AWS::NoValue' }] }, 'y'], ['y']],
    ['AWS::NoValue in an object', { A: { Ref: 'AWS::NoValue' }, B: 1 }, { B: 1 }],
    ['a plain value', { Port: 80, Names: ['a'] }, { Port: 80, Names: ['a'] }],
  ])('resolves %s', (_name, v, expected) => {
    expect(resolve(v)).toEqual(expected);
  });

  it('gives AWS::Partition and AWS::URLSuffix of the China regions', () => {
    expect(resolve({ 'Fn::Sub': '${AWS::Partition} ${AWS::URLSuffix}' }, { region: 'cn-north-1' })).toBe('aws-cn amazonaws.com.cn');
  });

  it.each<[string, unknown, CfnDeployment, string]>([
    [
      'a parameter without a Default',
      { Ref: 'ProjectName' },
      {},
      'Ref ProjectName: a parameter without a Default, and no value was given; pass --parameter ProjectName=VALUE',
    ],
    [
      'a NoEcho parameter of a deployed stack',
      { Ref: 'Secret' },
      { hidden: ['Secret'] },
      'Ref Secret: a NoEcho parameter, whose value CloudFormation does not return; pass --parameter Secret=VALUE',
    ],
    [
      'an SSM parameter type',
      { Ref: 'Latest' },
      {},
      'Ref Latest: the value of SSM parameter "/ami/latest", which meshctl does not read; pass --parameter Latest=VALUE or --from-stack STACK',
    ],
    ['the stack name', { Ref: 'AWS::StackName' }, {}, "Ref AWS::StackName: the stack's name; pass --stack-name NAME"],
    ['the region in Fn::Sub', { 'Fn::Sub': 'x.${AWS::Region}' }, {}, "Fn::Sub ${AWS::Region}: the stack's region; pass --region REGION"],
    [
      'the account',
      { Ref: 'AWS::AccountId' },
      {},
      'Ref AWS::AccountId: the account ID, read from STS when AWS answers; pass --parameter AWS::AccountId=ID',
    ],
    [
      'an export not given',
      { 'Fn::ImportValue': 'infra-Zone' },
      {},
      'Fn::ImportValue infra-Zone: no export of that name was given or read; pass --export infra-Zone=VALUE',
    ],
    [
      'a physical ID not known',
      { Ref: 'Cluster' },
      {},
      'Ref Cluster: the physical ID of AWS::ECS::Cluster, known once the stack is deployed; pass --from-stack STACK to read the deployed stack',
    ],
    [
      "a nested stack's output not known",
      { 'Fn::GetAtt': ['Nested', 'Outputs.ServiceName'] },
      {},
      'Fn::GetAtt Nested.Outputs.ServiceName: an attribute of AWS::CloudFormation::Stack, known once the stack is deployed; ' +
        'pass --from-stack STACK to read the deployed stack',
    ],
    [
      'Fn::If on a condition of an unknown value',
      { 'Fn::If': ['ByProject', 'a', 'b'] },
      {},
      'Fn::If ByProject: condition ByProject: Ref ProjectName: a parameter without a Default, and no value was given; ' +
        'pass --parameter ProjectName=VALUE',
    ],
    [
      'a condition that refers to itself',
      { 'Fn::If': ['Loop', 'a', 'b'] },
      {},
      'Fn::If Loop: condition Loop: Conditions.Loop refers back to itself',
    ],
    ['Fn::Select past the end', { 'Fn::Select': [5, ['a']] }, {}, 'Fn::Select: index "5" is not one of the list\'s 1 items'],
    [
      'Fn::FindInMap of a missing key',
      { 'Fn::FindInMap': ['Sizes', 'test', 'Port'] },
      {},
      'Fn::FindInMap: Mappings.Sizes.test.Port is not in the template',
    ],
    [
      'Fn::GetAZs when EC2 did not answer',
      { 'Fn::GetAZs': '' },
      { region: 'eu-west-1' },
      'Fn::GetAZs: the Availability Zones of region eu-west-1 were not read; ' +
        'meshctl reads them from EC2 (DescribeAvailabilityZones) when it answers; check the credentials and --region',
    ],
    [
      'Fn::GetAZs of another region',
      { 'Fn::GetAZs': 'us-east-1' },
      { region: 'eu-west-1', availabilityZones: ['eu-west-1a'] },
      'Fn::GetAZs: the Availability Zones of region us-east-1 were not read; meshctl reads the zones of eu-west-1 only; run with --region us-east-1',
    ],
    [
      'Fn::Cidr that does not fit',
      { 'Fn::Cidr': ['10.0.0.0/24', 3, 7] },
      {},
      'Fn::Cidr: 3 blocks of 7 host bits do not fit in 10.0.0.0/24',
    ],
    [
      'Fn::Cidr of an unknown block',
      { 'Fn::Cidr': [{ Ref: 'ProjectName' }, 2, 8] },
      {},
      'Fn::Cidr: Ref ProjectName: a parameter without a Default, and no value was given; pass --parameter ProjectName=VALUE',
    ],
    [
      'Fn::Join with one unknown part',
      { 'Fn::Join': ['-', ['a', { Ref: 'ProjectName' }]] },
      {},
      'Fn::Join: Ref ProjectName: a parameter without a Default, and no value was given; pass --parameter ProjectName=VALUE',
    ],
  ])('keeps %s as an Unknown saying what to pass', (_name, v, deployment, expected) => {
    expect(why(resolve(v, deployment))).toBe(expected);
  });

  it('Fn::GetAZs gives the zones read for the region (empty string, AWS::Region or its name); Fn::Cidr computes the blocks', () => {
    const d = { region: 'eu-west-1', availabilityZones: ['eu-west-1a', 'eu-west-1b'] };
    expect(resolve({ 'Fn::GetAZs': '' }, d)).toEqual(['eu-west-1a', 'eu-west-1b']);
    expect(resolve({ 'Fn::Select': [1, { 'Fn::GetAZs': { Ref: 'AWS::Region' } }] }, d)).toBe('eu-west-1b');
    expect(resolve({ 'Fn::GetAZs': 'eu-west-1' }, d)).toEqual(['eu-west-1a', 'eu-west-1b']);
    expect(resolve({ 'Fn::Select': [2, { 'Fn::Cidr': ['10.0.0.0/16', '3', '8'] }] }, {})).toBe('10.0.2.0/24');
  });

  it('decides Fn::Or and Fn::And by a known operand although another is unknown', () => {
    const prod = { parameters: { EnvironmentName: 'prod' } };
    expect(resolve({ 'Fn::If': ['ProdOrProject', 'a', 'b'] }, prod)).toBe('a');
    expect(resolve({ 'Fn::If': ['NotProdAndProject', 'a', 'b'] }, {})).toBe('b');
  });

  it('tells whether a resource exists from its Condition', () => {
    const r = new CfnResolver(TEMPLATE, {}, 't.yaml');
    expect([r.exists('Node'), r.exists('CanaryNode'), why(r.exists('ProjectNode'))]).toEqual([
      true,
      false,
      'condition ByProject: Ref ProjectName: a parameter without a Default, and no value was given; pass --parameter ProjectName=VALUE',
    ]);
    expect(new CfnResolver(TEMPLATE, { parameters: { WithCanary: 'true' } }, 't.yaml').exists('CanaryNode')).toBe(true);
  });
});

describe('CfnResolver limits', () => {
  /** Each level's name is the one before it ten times: level n is 10^n times as long. */
  const growing = (levels: number, fn: 'Fn::Sub' | 'Fn::Join'): Obj => {
    const resources: Obj = { Mesh: { Type: 'AWS::AppMesh::Mesh', Properties: { MeshName: 'm' } } };
    for (let i = 0; i < levels; i++) {
      const before = { 'Fn::GetAtt': [`S${i - 1}`, 'VirtualServiceName'] };
      const name =
        i === 0
          ? 'aaaaaaaaaa'
          : fn === 'Fn::Sub'
            ? { 'Fn::Sub': `\${S${i - 1}.VirtualServiceName}`.repeat(10) }
            : { 'Fn::Join': ['', Array(10).fill(before)] };
      resources[`S${i}`] = { Type: 'AWS::AppMesh::VirtualService', Properties: { MeshName: 'm', VirtualServiceName: name, Spec: {} } };
    }
    return { Resources: resources };
  };

  it.each(['Fn::Sub', 'Fn::Join'] as const)(
    'ends a template whose %s values grow tenfold per level with an InputError naming the limit',
    (fn) => {
      const run = () => fromCloudFormation(growing(12, fn), 'grow.json');
      expect(run).toThrow(InputError);
      expect(run).toThrow(`a value resolves to more than ${CFN_LIMITS.chars} characters, meshctl's limit on one value`);
    },
  );

  it('resolves the same template while it stays within the limits', () => {
    const [d] = fromCloudFormation(growing(4, 'Fn::Sub'), 'grow.json');
    expect(d!.virtualServices.map((s) => s.name.length)).toEqual([10, 100, 1000, 10000]);
  });

  it('ends a template that evaluates more intrinsic functions than the limit', () => {
    const many = Array.from({ length: 2000 }, () => ({ 'Fn::Join': ['', Array.from({ length: 600 }, () => ({ Ref: 'AWS::NoValue' }))] }));
    const t = { Resources: { Mesh: { Type: 'AWS::AppMesh::Mesh', Properties: { MeshName: 'm', Spec: { X: many } } } } };
    expect(() => fromCloudFormation(t, 't.json')).toThrow(`more than ${CFN_LIMITS.steps} intrinsic functions evaluated`);
  });
});

import { DescribeTagsCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateHttpNamespaceCommand, ListNamespacesCommand, ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createElbv2Api } from '../../src/aws/elbv2.js';
import { createServiceDiscoveryApi } from '../../src/aws/service-discovery.js';

// The calls blue/green's mark and the namespace race rely on: target group tags, and Cloud Map's CreatorRequestId.
const elbMock = mockClient(ElasticLoadBalancingV2Client);
const sdMock = mockClient(ServiceDiscoveryClient);
const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };

beforeEach(() => {
  elbMock.reset();
  sdMock.reset();
});

describe('Elbv2Api.describeTags', () => {
  it('reads the tags of target groups, 20 ARNs a call, as key → value by ARN', async () => {
    const arns = Array.from({ length: 25 }, (_, i) => `arn:tg/${i}`);
    elbMock.on(DescribeTagsCommand).callsFake((input: { ResourceArns: string[] }) => ({
      TagDescriptions: input.ResourceArns.map((ResourceArn) => ({ ResourceArn, Tags: [{ Key: 'meshctl:created-by', Value: 'meshctl' }] })),
    }));
    const tags = await createElbv2Api(new ElasticLoadBalancingV2Client({ region: 'us-west-2', credentials })).describeTags(arns);
    expect(elbMock.commandCalls(DescribeTagsCommand).map((c) => c.args[0].input.ResourceArns!.length)).toEqual([20, 5]);
    expect(tags.get('arn:tg/24')).toEqual({ 'meshctl:created-by': 'meshctl' });
  });
});

describe('ServiceDiscoveryApi', () => {
  const api = () => createServiceDiscoveryApi(new ServiceDiscoveryClient({ region: 'us-west-2', credentials }));

  it('sends the CreatorRequestId it is given, so that Cloud Map runs a repeated request once', async () => {
    sdMock.on(CreateHttpNamespaceCommand).resolves({ OperationId: 'op-1' });
    expect(await api().createHttpNamespace('local', 'meshctl-abc')).toBe('op-1');
    expect(sdMock).toHaveReceivedCommandWith(CreateHttpNamespaceCommand, { Name: 'local', CreatorRequestId: 'meshctl-abc' });
  });

  it('lists namespaces with their creation time (which of two of one name came first)', async () => {
    const CreateDate = new Date('2026-01-01T00:00:00Z');
    sdMock.on(ListNamespacesCommand).resolves({
      Namespaces: [
        { Id: 'ns-1', Name: 'local', Type: 'HTTP', CreateDate },
        { Id: 'ns-2', Name: 'x' },
      ],
    });
    expect(await api().listNamespaces()).toEqual([
      { id: 'ns-1', name: 'local', type: 'HTTP', createDate: CreateDate },
      { id: 'ns-2', name: 'x', type: 'DNS_PRIVATE' },
    ]);
  });
});

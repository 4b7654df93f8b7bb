import { CloudFormationClient, GetTemplateCommand, ListStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createCloudFormationApi } from '../../src/aws/cloudformation.js';
import { createRoute53Api } from '../../src/aws/route53.js';
import { AwsCallError } from '../../src/errors.js';
import type { Context } from '../../src/runtime/context.js';
import { mergeRecord, readDnsEdge, shiftRecord, splitRecord } from '../../src/steps/dns-edge.js';
import { captureStream, fakeClock, mockedAwsClients } from '../support/fake-deps.js';
import { createUi } from '../../src/ui/output.js';

const config = { region: 'us-west-2', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 };
const r53 = mockClient(Route53Client);
const cfn = mockClient(CloudFormationClient);

beforeEach(() => {
  r53.reset();
  cfn.reset();
});

const NAME = 'inventory.shop.internal.';
const rec = (name: string, extra: Partial<ResourceRecordSet> = {}): ResourceRecordSet => ({
  Name: name,
  Type: 'A',
  TTL: 60,
  ResourceRecords: [{ Value: '10.0.1.10' }],
  ...extra,
});
const named = (name: string, status = 400) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

/** A step context on mocked clients and a clock that only moves when meshctl sleeps. */
function context(): Context & { clock: ReturnType<typeof fakeClock> } {
  const ui = createUi(
    { stderrIsTTY: false, ci: true, json: false, color: false, verbose: false },
    { stdout: captureStream(), stderr: captureStream() },
  );
  return {
    ui,
    aws: mockedAwsClients(),
    clock: fakeClock(),
    signal: new AbortController().signal,
    region: 'us-west-2',
    checkpoint() {},
  } as unknown as Context & { clock: ReturnType<typeof fakeClock> };
}

describe('Route 53: the records of one name, change batches, INSYNC', () => {
  it('starts the walk at the name, follows pages by name, type and set identifier, and stops at the first other name', async () => {
    const api = createRoute53Api(new Route53Client(config));
    r53
      .on(ListResourceRecordSetsCommand, { StartRecordName: NAME })
      .resolves({
        ResourceRecordSets: [rec(NAME, { SetIdentifier: 'blue', Weight: 90 })],
        IsTruncated: true,
        NextRecordName: NAME,
        NextRecordType: 'A',
        NextRecordIdentifier: 'green',
      })
      .on(ListResourceRecordSetsCommand, { StartRecordIdentifier: 'green' })
      .resolves({
        ResourceRecordSets: [rec(NAME, { SetIdentifier: 'green', Weight: 10 }), rec('zzz.shop.internal.')],
        IsTruncated: true,
        NextRecordName: 'zzzz.shop.internal.',
        NextRecordType: 'A',
      });
    const found = await api.listRecordSetsNamed('Z0123', 'Inventory.Shop.Internal');
    expect(found.map((r) => r.SetIdentifier)).toEqual(['blue', 'green']);
    expect(r53).toHaveReceivedCommandTimes(ListResourceRecordSetsCommand, 2);
    expect(r53.commandCalls(ListResourceRecordSetsCommand).map((c) => c.args[0].input.StartRecordIdentifier)).toEqual([undefined, 'green']);
    expect(r53).toHaveReceivedCommandWith(ListResourceRecordSetsCommand, { HostedZoneId: 'Z0123', StartRecordName: NAME });
  });

  it('sends one ChangeBatch and reads the change id without its /change/ prefix', async () => {
    const api = createRoute53Api(new Route53Client(config));
    r53.on(ChangeResourceRecordSetsCommand).resolves({ ChangeInfo: { Id: '/change/C123', Status: 'PENDING', SubmittedAt: new Date() } });
    const changes = [{ Action: 'UPSERT' as const, ResourceRecordSet: rec(NAME, { SetIdentifier: 'green', Weight: 10 }) }];
    expect(await api.changeResourceRecordSets('Z0123', changes, 'shift')).toBe('C123');
    expect(r53).toHaveReceivedCommandWith(ChangeResourceRecordSetsCommand, {
      HostedZoneId: 'Z0123',
      ChangeBatch: { Changes: changes, Comment: 'shift' },
    });
  });

  it('a refused batch is an AwsCallError naming ChangeResourceRecordSets', async () => {
    const api = createRoute53Api(new Route53Client(config));
    r53.on(ChangeResourceRecordSetsCommand).rejects(named('InvalidChangeBatch'));
    await expect(api.changeResourceRecordSets('Z0123', [], 'x')).rejects.toThrow(AwsCallError);
    await expect(api.changeResourceRecordSets('Z0123', [], 'x')).rejects.toThrow(/ChangeResourceRecordSets/);
  });
});

describe('the record in front of a blue/green pair', () => {
  const target = { zoneId: 'Z0123', name: 'inventory.shop.internal', green: { kind: 'values' as const, values: ['10.0.1.20'] } };
  const blue = rec(NAME, { SetIdentifier: 'blue', Weight: 100 });
  const green = rec(NAME, { SetIdentifier: 'green', Weight: 0, ResourceRecords: [{ Value: '10.0.1.20' }] });

  it('splits the simple record in one batch, waits while Route 53 says PENDING, then reads the pair back', async () => {
    r53
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce({ ResourceRecordSets: [rec(NAME)] })
      .resolves({ ResourceRecordSets: [blue, green] });
    r53.on(ChangeResourceRecordSetsCommand).resolves({ ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date() } });
    r53
      .on(GetChangeCommand, { Id: 'C1' })
      .resolvesOnce({ ChangeInfo: { Id: 'C1', Status: 'PENDING', SubmittedAt: new Date() } })
      .resolves({ ChangeInfo: { Id: 'C1', Status: 'INSYNC', SubmittedAt: new Date() } });
    const ctx = context();
    const edge = await splitRecord(ctx, await readDnsEdge(ctx, target));
    expect(edge.state).toMatchObject({ kind: 'weighted', greenWeight: 0 });
    expect(r53).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 1);
    const sent = r53.commandCalls(ChangeResourceRecordSetsCommand)[0]!.args[0].input.ChangeBatch!.Changes!;
    expect(sent.map((c) => `${c.Action} ${c.ResourceRecordSet!.SetIdentifier ?? 'simple'}`)).toEqual([
      'DELETE simple',
      'CREATE blue',
      'CREATE green',
    ]);
    expect(r53).toHaveReceivedCommandTimes(GetChangeCommand, 2);
    expect(ctx.clock.slept).toHaveLength(1);
  });

  it('shifts by UPSERTing both weights in one batch, and merges back to blue as DELETE, DELETE, UPSERT', async () => {
    r53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [blue, green] });
    r53.on(ChangeResourceRecordSetsCommand).resolves({ ChangeInfo: { Id: '/change/C2', Status: 'INSYNC', SubmittedAt: new Date() } });
    r53.on(GetChangeCommand).resolves({ ChangeInfo: { Id: 'C2', Status: 'INSYNC', SubmittedAt: new Date() } });
    const ctx = context();
    const edge = await readDnsEdge(ctx, target);
    await shiftRecord(ctx, edge, 50);
    await mergeRecord(ctx, edge, 'blue');
    const batches = r53.commandCalls(ChangeResourceRecordSetsCommand).map((c) => c.args[0].input.ChangeBatch!.Changes!);
    expect(batches[0]!.map((c) => `${c.Action} ${c.ResourceRecordSet!.SetIdentifier}:${c.ResourceRecordSet!.Weight}`)).toEqual([
      'UPSERT blue:50',
      'UPSERT green:50',
    ]);
    expect(batches[1]!.map((c) => c.Action)).toEqual(['DELETE', 'DELETE', 'UPSERT']);
    expect(batches[1]![2]!.ResourceRecordSet).toEqual(rec(NAME));
  });

  it('gives up when the change stays PENDING past the timeout', async () => {
    r53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [blue, green] });
    r53.on(ChangeResourceRecordSetsCommand).resolves({ ChangeInfo: { Id: '/change/C3', Status: 'PENDING', SubmittedAt: new Date() } });
    r53.on(GetChangeCommand).resolves({ ChangeInfo: { Id: 'C3', Status: 'PENDING', SubmittedAt: new Date() } });
    const ctx = context();
    await expect(shiftRecord(ctx, await readDnsEdge(ctx, target), 10)).rejects.toThrow(
      /change C3 for inventory.shop.internal was still PENDING/,
    );
  });
});

describe('CloudFormation: the stacks and their templates', () => {
  it('lists every stack but the deleted ones, following pages, and reads the original template', async () => {
    const api = createCloudFormationApi(new CloudFormationClient(config));
    const at = new Date();
    cfn
      .on(ListStacksCommand)
      .resolvesOnce({
        StackSummaries: [{ StackName: 'mesh', StackId: 'id-1', StackStatus: 'CREATE_COMPLETE', CreationTime: at }],
        NextToken: 'next',
      })
      .resolves({ StackSummaries: [{ StackName: 'gone', StackId: 'id-2', StackStatus: 'DELETE_COMPLETE', CreationTime: at }] });
    cfn.on(GetTemplateCommand, { StackName: 'mesh' }).resolves({ TemplateBody: 'Resources: {}' });
    expect(await api.listStacks()).toEqual([{ name: 'mesh', id: 'id-1', status: 'CREATE_COMPLETE' }]);
    expect(cfn.commandCalls(ListStacksCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, 'next']);
    const filter = cfn.commandCalls(ListStacksCommand)[0]!.args[0].input.StackStatusFilter!;
    expect(filter).toContain('UPDATE_ROLLBACK_COMPLETE');
    expect(filter).not.toContain('DELETE_COMPLETE');
    expect(await api.getTemplate('mesh')).toBe('Resources: {}');
    expect(cfn).toHaveReceivedCommandWith(GetTemplateCommand, { StackName: 'mesh', TemplateStage: 'Original' });
  });

  it('a refused ListStacks is an AwsCallError, not an empty list', async () => {
    const api = createCloudFormationApi(new CloudFormationClient(config));
    cfn.on(ListStacksCommand).rejects(named('AccessDenied', 403));
    await expect(api.listStacks()).rejects.toThrow(AwsCallError);
  });
});

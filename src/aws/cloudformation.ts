import {
  CloudFormationClient,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListExportsCommand,
  ListStackResourcesCommand,
  ListStacksCommand,
  type StackStatus,
} from '@aws-sdk/client-cloudformation';
import { AwsCallError } from '../errors.js';
import { sender } from './aws-error.js';
import { type AwsConfig, connectClient } from './client-config.js';
import { allPages } from './pages.js';

/** The CloudFormation calls meshctl makes (migrate cleanup's listing), named after their operations. */
export interface CloudFormationApi {
  /** Every stack that exists (any status but DELETE_COMPLETE), following pages. */
  listStacks(): Promise<{ name: string; id: string; status: string }[]>;
  /** The stack's template as written (the Original stage: before transforms), as text: JSON or YAML. */
  getTemplate(stackName: string): Promise<string>;
  /** The stack (name, ID or ARN): its parameters (a NoEcho one's value is not returned) and outputs; undefined when it does not exist. */
  describeStack(stackName: string): Promise<DescribedStack | undefined>;
  /** Every resource of the stack with its physical ID, following pages. */
  listStackResources(stackName: string): Promise<StackResource[]>;
  /** Every export of the account in the region, by name, following pages. */
  listExports(): Promise<Record<string, string>>;
}

export interface DescribedStack {
  id: string;
  name: string;
  /** Parameter values by key: an SSM parameter type's resolved value; a NoEcho one is left out and named in `hidden`. */
  parameters: Record<string, string>;
  hidden: string[];
  outputs: Record<string, string>;
}

export interface StackResource {
  logicalId: string;
  physicalId?: string;
  type: string;
}

/** CloudFormation answers a stack that does not exist with a ValidationError, not a NotFound. */
const isMissingStack = (err: unknown) =>
  err instanceof AwsCallError && err.errorName === 'ValidationError' && /does not exist/.test(err.message);

/** Every StackStatus but DELETE_COMPLETE: ListStacks without a filter also returns deleted stacks for 90 days. */
export const LIVE_STACK_STATUSES: StackStatus[] = [
  'CREATE_IN_PROGRESS',
  'CREATE_FAILED',
  'CREATE_COMPLETE',
  'ROLLBACK_IN_PROGRESS',
  'ROLLBACK_FAILED',
  'ROLLBACK_COMPLETE',
  'DELETE_IN_PROGRESS',
  'DELETE_FAILED',
  'UPDATE_IN_PROGRESS',
  'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
  'UPDATE_COMPLETE',
  'UPDATE_FAILED',
  'UPDATE_ROLLBACK_IN_PROGRESS',
  'UPDATE_ROLLBACK_FAILED',
  'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
  'UPDATE_ROLLBACK_COMPLETE',
  'REVIEW_IN_PROGRESS',
  'IMPORT_IN_PROGRESS',
  'IMPORT_COMPLETE',
  'IMPORT_ROLLBACK_IN_PROGRESS',
  'IMPORT_ROLLBACK_FAILED',
  'IMPORT_ROLLBACK_COMPLETE',
];

export function createCloudFormationApi(client: CloudFormationClient, endpoint?: string): CloudFormationApi {
  const send = sender(client, endpoint);
  return {
    async listStacks() {
      const stacks = await allPages(async (NextToken) => {
        const out = await send('ListStacks', new ListStacksCommand({ NextToken, StackStatusFilter: LIVE_STACK_STATUSES }));
        return { items: out.StackSummaries ?? [], nextToken: out.NextToken };
      });
      return stacks
        .filter((s) => s.StackStatus !== 'DELETE_COMPLETE')
        .map((s) => ({ name: s.StackName!, id: s.StackId ?? s.StackName!, status: s.StackStatus ?? 'UNKNOWN' }));
    },
    async getTemplate(StackName) {
      const out = await send('GetTemplate', new GetTemplateCommand({ StackName, TemplateStage: 'Original' }));
      return out.TemplateBody ?? '';
    },
    async describeStack(StackName) {
      let out;
      try {
        out = await send('DescribeStacks', new DescribeStacksCommand({ StackName }));
      } catch (err) {
        if (isMissingStack(err)) return undefined;
        throw err;
      }
      const stack = out.Stacks?.[0];
      if (!stack) return undefined;
      const parameters: Record<string, string> = {};
      const hidden: string[] = [];
      for (const p of stack.Parameters ?? []) {
        if (!p.ParameterKey) continue;
        // NoEcho values come back as asterisks: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Parameter.html
        if (p.ParameterValue === undefined || /^\*+$/.test(p.ParameterValue)) hidden.push(p.ParameterKey);
        else parameters[p.ParameterKey] = p.ResolvedValue ?? p.ParameterValue;
      }
      const outputs: Record<string, string> = {};
      for (const o of stack.Outputs ?? []) if (o.OutputKey && o.OutputValue !== undefined) outputs[o.OutputKey] = o.OutputValue;
      return { id: stack.StackId ?? StackName, name: stack.StackName ?? StackName, parameters, hidden, outputs };
    },
    async listStackResources(StackName) {
      const items = await allPages(async (NextToken) => {
        const out = await send('ListStackResources', new ListStackResourcesCommand({ StackName, NextToken }));
        return { items: out.StackResourceSummaries ?? [], nextToken: out.NextToken };
      });
      return items.map((r) => ({
        logicalId: r.LogicalResourceId ?? '',
        type: r.ResourceType ?? '',
        ...(r.PhysicalResourceId ? { physicalId: r.PhysicalResourceId } : {}),
      }));
    },
    async listExports() {
      const items = await allPages(async (NextToken) => {
        const out = await send('ListExports', new ListExportsCommand({ NextToken }));
        return { items: out.Exports ?? [], nextToken: out.NextToken };
      });
      const exports: Record<string, string> = {};
      for (const e of items) if (e.Name && e.Value !== undefined) exports[e.Name] = e.Value;
      return exports;
    },
  };
}

export function connectCloudFormation(config: AwsConfig): CloudFormationApi {
  return createCloudFormationApi(connectClient(CloudFormationClient, 'cloudformation', config), config.endpointUrl);
}

import { CloudFormationClient, GetTemplateCommand, ListStacksCommand, type StackStatus } from '@aws-sdk/client-cloudformation';
import { sender } from './aws-error.js';
import { addCallLogging, addRegionCheck, clientOptions, type AwsConfig } from './client-config.js';
import { allPages } from './pages.js';

/** The CloudFormation calls meshctl makes (migrate cleanup's listing), named after their operations. */
export interface CloudFormationApi {
  /** Every stack that exists (any status but DELETE_COMPLETE), following pages. */
  listStacks(): Promise<{ name: string; id: string; status: string }[]>;
  /** The stack's template as written (the Original stage: before transforms), as text: JSON or YAML. */
  getTemplate(stackName: string): Promise<string>;
}

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
  };
}

export function connectCloudFormation(config: AwsConfig): CloudFormationApi {
  const client = new CloudFormationClient(clientOptions(config));
  addCallLogging(client as never, 'cloudformation', config.log);
  addRegionCheck(client as never, config);
  return createCloudFormationApi(client, config.endpointUrl);
}

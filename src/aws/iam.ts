import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { callAws } from './aws-error.js';
import { addCallLogging, clientOptions, type AwsConfig } from './client-config.js';
import { allPages } from './pages.js';

export interface IamApi {
  /** False when the role does not exist. */
  getRole(roleName: string): Promise<boolean>;
  listAttachedRolePolicies(roleName: string): Promise<string[]>;
  /** A managed policy's default version document. */
  getPolicyDocument(policyArn: string): Promise<unknown>;
  listRolePolicies(roleName: string): Promise<string[]>;
  getRolePolicy(roleName: string, policyName: string): Promise<unknown>;
}

export function createIamApi(client: IAMClient, endpoint?: string): IamApi {
  return {
    async getRole(RoleName) {
      try {
        await client.send(new GetRoleCommand({ RoleName }));
        return true;
      } catch (err) {
        if ((err as { name?: string }).name === 'NoSuchEntityException' || (err as { name?: string }).name === 'NoSuchEntity') return false;
        return callAws('GetRole', () => Promise.reject(err), endpoint);
      }
    },
    listAttachedRolePolicies: (RoleName) =>
      allPages(async (Marker) => {
        const out = await callAws('ListAttachedRolePolicies', () => client.send(new ListAttachedRolePoliciesCommand({ RoleName, Marker })), endpoint);
        return { items: (out.AttachedPolicies ?? []).map((p) => p.PolicyArn!), nextToken: out.IsTruncated ? out.Marker : undefined };
      }),
    async getPolicyDocument(PolicyArn) {
      const policy = await callAws('GetPolicy', () => client.send(new GetPolicyCommand({ PolicyArn })), endpoint);
      const VersionId = policy.Policy?.DefaultVersionId;
      const version = await callAws('GetPolicyVersion', () => client.send(new GetPolicyVersionCommand({ PolicyArn, VersionId })), endpoint);
      return version.PolicyVersion?.Document;
    },
    listRolePolicies: (RoleName) =>
      allPages(async (Marker) => {
        const out = await callAws('ListRolePolicies', () => client.send(new ListRolePoliciesCommand({ RoleName, Marker })), endpoint);
        return { items: out.PolicyNames ?? [], nextToken: out.IsTruncated ? out.Marker : undefined };
      }),
    async getRolePolicy(RoleName, PolicyName) {
      return (await callAws('GetRolePolicy', () => client.send(new GetRolePolicyCommand({ RoleName, PolicyName })), endpoint)).PolicyDocument;
    },
  };
}

export function connectIam(config: AwsConfig): IamApi {
  const client = new IAMClient(clientOptions(config));
  addCallLogging(client as never, 'iam', config.log);
  return createIamApi(client, config.endpointUrl);
}

import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { sender, unlessNotFound } from './aws-error.js';
import { type AwsConfig, connectClient } from './client-config.js';
import { allPages } from './pages.js';

export interface IamApi {
  /** The role (with its permissions boundary, if any), or undefined when it does not exist. */
  getRole(roleName: string): Promise<{ permissionsBoundaryArn?: string } | undefined>;
  listAttachedRolePolicies(roleName: string): Promise<string[]>;
  /** A managed policy's default version document. */
  getPolicyDocument(policyArn: string): Promise<unknown>;
  listRolePolicies(roleName: string): Promise<string[]>;
  getRolePolicy(roleName: string, policyName: string): Promise<unknown>;
  detachRolePolicy(roleName: string, policyArn: string): Promise<void>;
  deleteRolePolicy(roleName: string, policyName: string): Promise<void>;
  /** A role that `assumeRolePolicy` lets its principals assume (the sandbox's task roles). */
  createRole(roleName: string, assumeRolePolicy: unknown): Promise<void>;
  attachRolePolicy(roleName: string, policyArn: string): Promise<void>;
}

export function createIamApi(client: IAMClient, endpoint?: string): IamApi {
  const send = sender(client, endpoint);
  return {
    async getRole(RoleName) {
      const out = await unlessNotFound(send('GetRole', new GetRoleCommand({ RoleName })));
      return out && { permissionsBoundaryArn: out.Role?.PermissionsBoundary?.PermissionsBoundaryArn };
    },
    listAttachedRolePolicies: (RoleName) =>
      allPages(async (Marker) => {
        const out = await send('ListAttachedRolePolicies', new ListAttachedRolePoliciesCommand({ RoleName, Marker }));
        return { items: (out.AttachedPolicies ?? []).map((p) => p.PolicyArn!), nextToken: out.IsTruncated ? out.Marker : undefined };
      }),
    async getPolicyDocument(PolicyArn) {
      const policy = await send('GetPolicy', new GetPolicyCommand({ PolicyArn }));
      const VersionId = policy.Policy?.DefaultVersionId;
      const version = await send('GetPolicyVersion', new GetPolicyVersionCommand({ PolicyArn, VersionId }));
      return version.PolicyVersion?.Document;
    },
    listRolePolicies: (RoleName) =>
      allPages(async (Marker) => {
        const out = await send('ListRolePolicies', new ListRolePoliciesCommand({ RoleName, Marker }));
        return { items: out.PolicyNames ?? [], nextToken: out.IsTruncated ? out.Marker : undefined };
      }),
    async detachRolePolicy(RoleName, PolicyArn) {
      await send('DetachRolePolicy', new DetachRolePolicyCommand({ RoleName, PolicyArn }));
    },
    async deleteRolePolicy(RoleName, PolicyName) {
      await send('DeleteRolePolicy', new DeleteRolePolicyCommand({ RoleName, PolicyName }));
    },
    async createRole(RoleName, assumeRolePolicy) {
      await send('CreateRole', new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: JSON.stringify(assumeRolePolicy) }));
    },
    async attachRolePolicy(RoleName, PolicyArn) {
      await send('AttachRolePolicy', new AttachRolePolicyCommand({ RoleName, PolicyArn }));
    },
    async getRolePolicy(RoleName, PolicyName) {
      return (await send('GetRolePolicy', new GetRolePolicyCommand({ RoleName, PolicyName }))).PolicyDocument;
    },
  };
}

export function connectIam(config: AwsConfig): IamApi {
  return createIamApi(connectClient(IAMClient, 'iam', config), config.endpointUrl);
}

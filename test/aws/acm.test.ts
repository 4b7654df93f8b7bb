import { ACMClient, DescribeCertificateCommand } from '@aws-sdk/client-acm';
import { GetRoleCommand, IAMClient, ListAttachedRolePoliciesCommand } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest/vitest';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAcmApi } from '../../src/aws/acm.js';
import { TLS_ROLE_POLICY } from '../../src/core/migrate/carry.js';
import { fromMeshFile } from '../../src/core/mesh/sources/mesh-file.js';
import type { MeshFile } from '../../src/core/mesh/file.js';
import { AwsCallError } from '../../src/errors.js';
import { gatherCarryFacts } from '../../src/steps/carry-facts.js';
import { mockedContext } from '../support/fake-deps.js';

const config = { region: 'us-west-2', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 };
const acm = mockClient(ACMClient);
const iam = mockClient(IAMClient);

const CERT = 'arn:aws:acm:us-west-2:123456789012:certificate/5a6b7c8d';
const PCA = 'arn:aws:acm-pca:us-west-2:123456789012:certificate-authority/0f1e2d3c';
const ROLE = 'arn:aws:iam::123456789012:role/tls/ecs-sc-tls';

beforeEach(() => {
  acm.reset();
  iam.reset();
});

const named = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

describe('ACM DescribeCertificate', () => {
  const api = () => createAcmApi(new ACMClient(config));

  it('gives the type and the AWS Private CA that issued a private certificate', async () => {
    acm.on(DescribeCertificateCommand, { CertificateArn: CERT }).resolves({
      Certificate: { CertificateArn: CERT, Type: 'PRIVATE', CertificateAuthorityArn: PCA },
    });
    expect(await api().describeCertificate(CERT)).toEqual({ arn: CERT, type: 'PRIVATE', issuer: PCA });
    expect(acm).toHaveReceivedCommandWith(DescribeCertificateCommand, { CertificateArn: CERT });
  });

  it('gives no issuer for an imported certificate', async () => {
    acm.on(DescribeCertificateCommand).resolves({ Certificate: { CertificateArn: CERT, Type: 'IMPORTED' } });
    expect(await api().describeCertificate(CERT)).toEqual({ arn: CERT, type: 'IMPORTED' });
  });

  it('gives undefined for a certificate ACM does not have, and throws throttling', async () => {
    acm.on(DescribeCertificateCommand).rejectsOnce(named('ResourceNotFoundException', 400)).rejectsOnce(named('ThrottlingException', 400));
    expect(await api().describeCertificate(CERT)).toBeUndefined();
    await expect(api().describeCertificate(CERT)).rejects.toBeInstanceOf(AwsCallError);
  });
});

describe('gatherCarryFacts', () => {
  const file: MeshFile = {
    mesh: { name: 'shop', egressFilter: 'DROP_ALL' },
    virtualNodes: [
      {
        name: 'payments',
        listener: { port: 8443, protocol: 'http' },
        listeners: [{ port: 8443, protocol: 'http', tls: { mode: 'STRICT', certificate: { acm: { certificateArn: CERT } } } }],
        serviceDiscovery: { dns: { hostname: 'payments.local' } },
        backends: [],
      },
    ],
    virtualRouters: [],
    virtualServices: [],
  };
  const meshes = [fromMeshFile(file, 'mesh.yaml')];

  it('reads each listener certificate once, and the role with its attached policies by name', async () => {
    acm.on(DescribeCertificateCommand).resolves({ Certificate: { CertificateArn: CERT, Type: 'PRIVATE', CertificateAuthorityArn: PCA } });
    iam.on(GetRoleCommand, { RoleName: 'ecs-sc-tls' }).resolves({ Role: { RoleName: 'ecs-sc-tls' } as never });
    iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [{ PolicyArn: TLS_ROLE_POLICY }] });
    const got = await gatherCarryFacts(mockedContext(), [...meshes, ...meshes], ROLE, []);
    expect(got).toEqual({
      certificates: [{ arn: CERT, type: 'PRIVATE', issuer: PCA }],
      tlsRoleFacts: { arn: ROLE, found: true, attached: [TLS_ROLE_POLICY] },
    });
    expect(acm).toHaveReceivedCommandTimes(DescribeCertificateCommand, 1);
  });

  it('notes ACM and IAM out of reach, and goes on', async () => {
    acm.on(DescribeCertificateCommand).rejects(named('AccessDeniedException', 403));
    iam.on(GetRoleCommand).rejects(named('AccessDenied', 403));
    const notes: string[] = [];
    expect(await gatherCarryFacts(mockedContext(), meshes, ROLE, notes)).toEqual({});
    expect(notes).toEqual([
      expect.stringMatching(/^ACM did not answer/),
      expect.stringMatching(/^IAM did not answer .*--tls-role was not checked/),
    ]);
  });

  it('asks nothing when no listener names an ACM certificate', async () => {
    expect(await gatherCarryFacts(mockedContext(), [], ROLE, [])).toEqual({});
    expect(acm).toHaveReceivedCommandTimes(DescribeCertificateCommand, 0);
    expect(iam).toHaveReceivedCommandTimes(GetRoleCommand, 0);
  });
});

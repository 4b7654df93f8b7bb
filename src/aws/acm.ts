import { ACMClient, DescribeCertificateCommand } from '@aws-sdk/client-acm';
import { sender, unlessNotFound } from './aws-error.js';
import { type AwsConfig, connectClient } from './client-config.js';
import type { CertificateFacts } from '../core/migrate/carry.js';

/** The ACM calls meshctl makes, named after their operations. */
export interface AcmApi {
  /**
   * DescribeCertificate: its type (AMAZON_ISSUED, PRIVATE, IMPORTED) and, for a private one, the AWS Private CA
   * that issued it (CertificateAuthorityArn); undefined when ACM does not know the ARN.
   */
  describeCertificate(certificateArn: string): Promise<CertificateFacts | undefined>;
}

export function createAcmApi(client: ACMClient, endpoint?: string): AcmApi {
  const send = sender(client, endpoint);
  return {
    async describeCertificate(CertificateArn) {
      const out = await unlessNotFound(send('DescribeCertificate', new DescribeCertificateCommand({ CertificateArn })));
      if (!out) return undefined;
      const c = out.Certificate ?? {};
      return {
        arn: CertificateArn,
        ...(c.Type ? { type: c.Type } : {}),
        ...(c.CertificateAuthorityArn ? { issuer: c.CertificateAuthorityArn } : {}),
      };
    },
  };
}

export function connectAcm(config: AwsConfig): AcmApi {
  return createAcmApi(connectClient(ACMClient, 'acm', config), config.endpointUrl);
}

import { isServiceGone } from '../aws/aws-error.js';
import { certificateArns, type CertificateFacts, type TlsRoleFacts } from '../core/migrate/carry.js';
import type { MeshDescription } from '../core/mesh/description.js';
import { mapLimit } from '../core/concurrency.js';
import { nameOfArn } from '../core/arn.js';
import type { Context } from '../runtime/context.js';

/** At most this many DescribeCertificate calls at once. */
const READS_AT_ONCE = 4;

/**
 * What carrying the mesh's settings needs beside the mesh: ACM's word on each listener certificate (which AWS
 * Private CA issued it) and, with --tls-role, the role and its managed policies. ACM or IAM out of reach is a
 * note; the plan then says TLS is lost for want of the CA, or leaves the role unchecked.
 */
export async function gatherCarryFacts(
  ctx: Context,
  meshes: readonly MeshDescription[],
  tlsRole: string | undefined,
  notes: string[],
): Promise<{ certificates?: CertificateFacts[]; tlsRoleFacts?: TlsRoleFacts }> {
  const arns = certificateArns(meshes);
  const out: { certificates?: CertificateFacts[]; tlsRoleFacts?: TlsRoleFacts } = {};
  if (arns.length) {
    try {
      const acm = await ctx.aws.acm();
      const found = await mapLimit(arns, READS_AT_ONCE, (arn) => acm.describeCertificate(arn));
      out.certificates = found.filter((c): c is CertificateFacts => !!c);
    } catch (err) {
      if (!isServiceGone(err)) throw err;
      notes.push(`ACM did not answer (${err.message.split('\n')[0]}): listener certificates' CAs unknown, their TLS not carried`);
    }
  }
  if (tlsRole && arns.length) {
    try {
      const iam = await ctx.aws.iam();
      const name = nameOfArn(tlsRole);
      const role = await iam.getRole(name);
      out.tlsRoleFacts = { arn: tlsRole, found: !!role, attached: role ? await iam.listAttachedRolePolicies(name) : [] };
    } catch (err) {
      if (!isServiceGone(err)) throw err;
      notes.push(`IAM did not answer (${err.message.split('\n')[0]}): --tls-role was not checked`);
    }
  }
  return out;
}

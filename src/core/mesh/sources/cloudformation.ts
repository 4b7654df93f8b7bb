// ---- CloudFormation templates.

import { InputError } from '../../../errors.js';
import { MeshDescription } from '../description.js';
import { isObj, shown } from './common.js';
import { kindOf, KINDS, Reader, failed, type Outcome } from './dialects.js';
import { RawResource, groupByMesh } from './group.js';
import { CfnResolver, NO_VALUE, Unknown, type CfnDeployment } from './cfn-resolve.js';

export type { CfnDeployment } from './cfn-resolve.js';

function cfnResource(cfn: CfnResolver, logical: string, resource: unknown): RawResource[] {
  const kind = isObj(resource) ? kindOf(resource.Type, 'cfn') : undefined;
  if (!kind || !isObj(resource)) return [];
  // A resource whose Condition is false is not created: CloudFormation's own rule, so it is not a loss.
  const exists = cfn.exists(logical);
  if (exists === false) return [];
  const { cfnName, cfnParent } = KINDS[kind];
  const raw: RawResource = { kind, props: resource.Properties, path: `${logical}.Properties`, nameKey: cfnName, meshKey: 'MeshName' };
  if (cfnParent) raw.parentKey = cfnParent;
  if (exists instanceof Unknown) {
    raw.preface = `${logical}.Condition: exists only when ${String(resource.Condition)} holds, which is unknown (${exists.why}); read as if it does`;
  }
  return [raw];
}

/** What the Reader gets for a value: the resolved value, or why it cannot be known (the field is then marked unknown). */
function outcomeOf(v: unknown): Outcome {
  if (v instanceof Unknown) return failed(v.why);
  return { value: v === NO_VALUE ? undefined : v };
}

/**
 * A CloudFormation template, parsed (YAML short tags already in their long form), and what its deployment
 * knows (parameters, stack name, region, exports, physical IDs; see CfnDeployment) in; one description per
 * mesh its AWS::AppMesh::* resources name out, [] when it has none. Intrinsic functions are resolved as
 * CloudFormation would; a value that cannot be known is noted in `unresolved` with its path and what to pass.
 */
export function fromCloudFormation(template: unknown, file: string, deployment: CfnDeployment = {}): MeshDescription[] {
  if (!isObj(template)) {
    throw new InputError(`${file}: expected a CloudFormation template (an object with Resources), found ${shown(template)}`);
  }
  const resources = template.Resources;
  if (!isObj(resources)) throw new InputError(`${file}: Resources must be an object of resources by logical ID, found ${shown(resources)}`);
  const cfn = new CfnResolver(template, deployment, file);
  const reader = new Reader(0, (v, path) => outcomeOf(cfn.value(v, path)));
  const raws = Object.entries(resources).flatMap(([logical, resource]) => cfnResource(cfn, logical, resource));
  return groupByMesh(raws, reader, `CloudFormation template ${file}`, file);
}

/** The parameter names a template declares, for messages about --parameter. */
export function templateParameters(template: unknown): string[] {
  return isObj(template) && isObj(template.Parameters) ? Object.keys(template.Parameters) : [];
}

// ---- CloudFormation intrinsic functions.

import { InputError } from '../../../errors.js';
import { MeshDescription } from '../description.js';
import { Obj, isObj, MAX_DEPTH, shown, own } from './common.js';
import { Outcome, failed, kindOf, KINDS, NAME_ATTRIBUTES, splitAtDot, Reader } from './dialects.js';
import { RawResource, groupByMesh } from './group.js';

/** Resolves the intrinsics a template can answer by itself; the rest (and pseudo parameters) exist only once deployed. */
class CfnTemplate {
  constructor(
    private readonly resources: Obj,
    private readonly parameters: Obj,
  ) {}

  resolve(v: unknown, depth: number, stack: readonly string[]): Outcome {
    if (!isObj(v)) return { value: v };
    const keys = Object.keys(v);
    const fn = keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::')) ? keys[0]! : undefined;
    if (fn === undefined) return { value: v };
    if (depth >= MAX_DEPTH) return failed(`intrinsic functions nested more than ${MAX_DEPTH} deep`);
    const arg = v[fn];
    if (fn === 'Ref') {
      return typeof arg === 'string' ? this.prefixed(`Ref ${arg}`, this.lookup(arg, depth, stack)) : failed('Ref needs a logical ID');
    }
    if (fn === 'Fn::GetAtt') return this.getAtt(arg, depth, stack);
    if (fn === 'Fn::Sub') return this.sub(arg, depth, stack);
    if (fn === 'Fn::Join') return this.join(arg, depth, stack);
    return failed(`${fn} cannot be resolved from the template`);
  }

  private prefixed(what: string, out: Outcome): Outcome {
    return 'why' in out ? failed(`${what}: ${out.why}`) : out;
  }

  private scalar(out: Outcome): Outcome {
    if ('why' in out) return out;
    const v = out.value;
    if (typeof v === 'string') return out;
    if (typeof v === 'number' || typeof v === 'boolean') return { value: String(v) };
    return failed(`must be a single value, found ${shown(v)}`);
  }

  /** What `Ref name` (or `${name}` in Fn::Sub) stands for. */
  private lookup(name: string, depth: number, stack: readonly string[]): Outcome {
    if (name.startsWith('AWS::')) return failed('a pseudo parameter, known only when the stack is deployed');
    const param = own(this.parameters, name);
    if (isObj(param)) return param.Default === undefined ? failed('a parameter without a Default') : this.scalar({ value: param.Default });
    const resource = own(this.resources, name);
    if (!isObj(resource)) return failed('not a parameter or resource of this template');
    const kind = kindOf(resource.Type, 'cfn');
    // For App Mesh resources Ref gives the ARN; the name is what meshctl needs, and the template has it.
    if (!kind) return failed(`${typeof resource.Type === 'string' ? resource.Type : 'a resource'}, known only when the stack is deployed`);
    return this.property(name, KINDS[kind].cfnName, depth, stack);
  }

  private attribute(logical: string, attr: string, depth: number, stack: readonly string[]): Outcome {
    const resource = own(this.resources, logical);
    if (!isObj(resource)) return failed('not a resource of this template');
    if (!kindOf(resource.Type, 'cfn') || !NAME_ATTRIBUTES.has(attr)) return failed('known only when the stack is deployed');
    return this.property(logical, attr, depth, stack);
  }

  private property(logical: string, key: string, depth: number, stack: readonly string[]): Outcome {
    const id = `${logical}.Properties.${key}`;
    if (stack.includes(id)) return failed(`${id} refers back to itself`);
    const props = (own(this.resources, logical) as Obj).Properties;
    const v = isObj(props) ? own(props, key) : undefined;
    if (v === undefined) return failed(`${id} is not set`);
    return this.prefixed(id, this.scalar(this.resolve(v, depth + 1, [...stack, id])));
  }

  /** `[Logical, Attr]` or `"Logical.Attr"`. */
  private getAtt(arg: unknown, depth: number, stack: readonly string[]): Outcome {
    const pair: unknown = typeof arg === 'string' ? splitAtDot(arg) : arg;
    const [logical, attr]: unknown[] = Array.isArray(pair) && pair.length === 2 ? pair : [];
    const usage = 'Fn::GetAtt needs [logicalId, attribute] or "logicalId.attribute"';
    if (typeof logical !== 'string' || typeof attr !== 'string') return failed(usage);
    return this.prefixed(`Fn::GetAtt ${logical}.${attr}`, this.attribute(logical, attr, depth + 1, stack));
  }

  /** `"text ${Name} ${Res.Attr} ${!Literal}"` or `[text, {Name: value}]`. */
  private sub(arg: unknown, depth: number, stack: readonly string[]): Outcome {
    const [text, vars, ...extra]: unknown[] = typeof arg === 'string' ? [arg, {}] : Array.isArray(arg) ? arg : [];
    if (typeof text !== 'string' || !isObj(vars) || extra.length > 0) return failed('Fn::Sub needs a string or [string, {variables}]');
    let out = '';
    let last = 0;
    for (const m of text.matchAll(/\$\{([^}]*)\}/g)) {
      out += text.slice(last, m.index);
      last = m.index + m[0].length;
      const name = m[1]!.trim();
      if (name.startsWith('!')) {
        out += `\${${name.slice(1)}}`;
        continue;
      }
      const got = this.scalar(this.subVariable(name, vars, depth, stack));
      if ('why' in got) return failed(`Fn::Sub \${${name}}: ${got.why}`);
      out += String(got.value);
    }
    return { value: out + text.slice(last) };
  }

  private subVariable(name: string, vars: Obj, depth: number, stack: readonly string[]): Outcome {
    if (Object.hasOwn(vars, name)) return this.resolve(vars[name], depth + 1, stack);
    const pair = splitAtDot(name);
    return pair ? this.attribute(pair[0], pair[1], depth + 1, stack) : this.lookup(name, depth + 1, stack);
  }

  /** `[separator, [parts]]`. */
  private join(arg: unknown, depth: number, stack: readonly string[]): Outcome {
    if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string') return failed('Fn::Join needs [separator, [values]]');
    const list = this.resolve(arg[1], depth + 1, stack);
    if ('why' in list) return this.prefixed('Fn::Join', list);
    if (!Array.isArray(list.value)) return failed(`Fn::Join needs a list of values, found ${shown(list.value)}`);
    const parts: string[] = [];
    for (const part of list.value) {
      const got = this.scalar(this.resolve(part, depth + 1, stack));
      if ('why' in got) return this.prefixed('Fn::Join', got);
      parts.push(String(got.value));
    }
    return { value: parts.join(arg[0]) };
  }
}

function cfnResource(logical: string, resource: unknown): RawResource[] {
  const kind = isObj(resource) ? kindOf(resource.Type, 'cfn') : undefined;
  if (!kind || !isObj(resource)) return [];
  const { cfnName, cfnParent } = KINDS[kind];
  const raw: RawResource = { kind, props: resource.Properties, path: `${logical}.Properties`, nameKey: cfnName, meshKey: 'MeshName' };
  if (cfnParent) raw.parentKey = cfnParent;
  if (typeof resource.Condition === 'string') {
    raw.preface = `${logical}.Condition: exists only when ${resource.Condition} holds; read as if it does`;
  }
  return [raw];
}

/**
 * A CloudFormation template, parsed (YAML short tags already in their long form), in; one description per
 * mesh its AWS::AppMesh::* resources name out, [] when it has none. What the template cannot resolve by
 * itself (pseudo parameters, Fn::ImportValue, a parameter without a Default) is left out and noted in `unresolved`.
 */
export function fromCloudFormation(template: unknown, file: string): MeshDescription[] {
  if (!isObj(template)) {
    throw new InputError(`${file}: expected a CloudFormation template (an object with Resources), found ${shown(template)}`);
  }
  const resources = template.Resources;
  if (!isObj(resources)) throw new InputError(`${file}: Resources must be an object of resources by logical ID, found ${shown(resources)}`);
  const cfn = new CfnTemplate(resources, isObj(template.Parameters) ? template.Parameters : {});
  // The path being read is also a property ID, so a name that refers to itself is caught on the first lap.
  const reader = new Reader(0, (v, path) => cfn.resolve(v, 0, [path]));
  const raws = Object.entries(resources).flatMap(([logical, resource]) => cfnResource(logical, resource));
  return groupByMesh(raws, reader, `CloudFormation template ${file}`, file);
}

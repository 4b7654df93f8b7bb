// ---- Resolving a CloudFormation template as CloudFormation itself would, given what its deployment knows.

import { InputError } from '../../../errors.js';
import { Obj, isObj, own, shown } from './common.js';
import { kindOf, KINDS, splitAtDot } from './dialects.js';
import { cidrBlocks } from './cfn-network.js';

/**
 * What a deployment of the template knows beyond the template: given by the user (--parameter, --stack-name,
 * --export, --region) or read from the deployed stack (--from-stack). Every field is optional.
 */
export interface CfnDeployment {
  stackName?: string;
  stackId?: string;
  region?: string;
  accountId?: string;
  /** Parameter values by name (also pseudo parameters, `AWS::AccountId`, when the user gives them). */
  parameters?: Record<string, string>;
  /** NoEcho parameters whose value CloudFormation did not return. */
  hidden?: readonly string[];
  /** Exports by name, for Fn::ImportValue. */
  exports?: Record<string, string>;
  /** Physical IDs by logical ID, for Ref. */
  physicalIds?: Record<string, string>;
  /** Deployed attributes by logical ID (a nested stack's `Outputs.X`), for Fn::GetAtt. */
  attributes?: Record<string, Record<string, string>>;
  /** What Fn::GetAZs gives in `region` (read from EC2 when it answers), for Fn::GetAZs. */
  availabilityZones?: readonly string[];
  /** How the user would give what only the deployed stack knows: `pass --from-stack NAME`. */
  deployedHint?: string;
}

/**
 * How far resolving goes before meshctl stops with exit 2: a template whose Fn::Sub or Fn::Join values grow
 * tenfold per level would otherwise exhaust memory. CloudFormation itself caps a template at 1 MB.
 */
export const CFN_LIMITS = {
  /** Characters of one resolved string. */
  chars: 1_048_576,
  /** Characters of all resolved strings together. */
  totalChars: 16 * 1_048_576,
  /** Intrinsic functions evaluated. */
  steps: 1_000_000,
  /** Nesting of values and intrinsic functions inside each other. */
  depth: 64,
};

/** A value that cannot be known: why, and what to pass to know it. Kept in place of the value. */
export class Unknown {
  constructor(readonly why: string) {}
}

/** What `Ref AWS::NoValue` stands for: the property (or list item) is removed. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

const prefixed = (what: string, u: Unknown): Unknown => new Unknown(`${what}: ${u.why}`);
const INTRINSIC = /^(Ref|Fn::[A-Za-z0-9]+)$/;

/** Fn::GetAtt attributes that are a property the template sets, by resource type (beyond App Mesh's name attributes). */
const ATTRIBUTE_PROPERTIES: Record<string, Record<string, string>> = {
  'AWS::ServiceDiscovery::Service': { Name: 'Name' },
  'AWS::ServiceDiscovery::PrivateDnsNamespace': { Name: 'Name' },
  'AWS::ServiceDiscovery::PublicDnsNamespace': { Name: 'Name' },
  'AWS::ServiceDiscovery::HttpNamespace': { Name: 'Name' },
  'AWS::Route53::RecordSet': { Name: 'Name' },
  'AWS::ECS::Cluster': { ClusterName: 'ClusterName' },
};
/** Resource types whose Ref is a property the template sets (a record set's Ref is its name). */
const REF_PROPERTIES: Record<string, string> = { 'AWS::Route53::RecordSet': 'Name', 'AWS::ECS::Cluster': 'ClusterName' };

function partitionOf(region: string): { partition: string; suffix: string } {
  if (region.startsWith('cn-')) return { partition: 'aws-cn', suffix: 'amazonaws.com.cn' };
  if (region.startsWith('us-gov-')) return { partition: 'aws-us-gov', suffix: 'amazonaws.com' };
  return { partition: 'aws', suffix: 'amazonaws.com' };
}

/** Base64 of the UTF-8 bytes, as Fn::Base64 gives it (core has no Buffer). */
function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/**
 * A template (parsed, short forms in their long form) and what its deployment knows in; values resolved on
 * demand: `value()` gives a value with every intrinsic function replaced by what CloudFormation would put there,
 * an `Unknown` (saying why and what to pass) where that cannot be known. Throws InputError past CFN_LIMITS.
 */
export class CfnResolver {
  private readonly resources: Obj;
  private readonly parameters: Obj;
  private readonly conditions: Obj;
  private readonly mappings: Obj;
  private readonly memo = new Map<string, unknown>();
  private readonly busy = new Set<string>();
  private steps = 0;
  private chars = 0;

  constructor(
    template: Obj,
    private readonly deployment: CfnDeployment,
    private readonly source: string,
  ) {
    const section = (key: string): Obj => (isObj(template[key]) ? template[key] : {});
    this.resources = section('Resources');
    this.parameters = section('Parameters');
    this.conditions = section('Conditions');
    this.mappings = section('Mappings');
  }

  private get deployedHint(): string {
    return this.deployment.deployedHint ?? 'pass --from-stack STACK to read the deployed stack';
  }

  /** `v` at `path` (for messages) resolved: a plain value, NO_VALUE, or an Unknown. */
  value(v: unknown, path: string): unknown {
    // A resource's Properties: each property once (memoized), so a name that refers to itself is caught on the first lap.
    const logical = path.endsWith('.Properties') ? path.slice(0, -'.Properties'.length) : undefined;
    const resource = logical === undefined ? undefined : own(this.resources, logical);
    if (logical === undefined || !isObj(resource) || resource.Properties !== v || !isObj(v)) return this.resolve(v, 0, path);
    const out: Obj = {};
    for (const key of Object.keys(v)) {
      const got = this.propertyValue(logical, key, 0, `${path}.${key}`);
      if (got !== NO_VALUE) out[key] = got;
    }
    return out;
  }

  /** Whether a resource exists: its Condition holds (true), does not (false), or cannot be known. */
  exists(logical: string): boolean | Unknown {
    const resource = own(this.resources, logical);
    const name = isObj(resource) ? resource.Condition : undefined;
    return typeof name === 'string' ? this.condition(name, 0, `Resources.${logical}.Condition`) : true;
  }

  private limit(what: string, path: string): never {
    throw new InputError(`${this.source}: ${path}: ${what}`);
  }

  private counted(text: string, path: string): string {
    if (text.length > CFN_LIMITS.chars) {
      this.limit(`a value resolves to more than ${CFN_LIMITS.chars} characters, meshctl's limit on one value`, path);
    }
    this.chars += text.length;
    if (this.chars > CFN_LIMITS.totalChars) {
      this.limit(`the resolved values add up to more than ${CFN_LIMITS.totalChars} characters, meshctl's limit`, path);
    }
    return text;
  }

  private resolve(v: unknown, depth: number, path: string): unknown {
    if (v instanceof Unknown || v === NO_VALUE || v === null || typeof v !== 'object') return v;
    // Too deep is one unknown value, noted at its path; the rest of the template still resolves.
    if (depth > CFN_LIMITS.depth) return new Unknown(`intrinsic functions nested more than ${CFN_LIMITS.depth} deep`);
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      for (const item of v) {
        const got = this.resolve(item, depth + 1, path);
        if (got !== NO_VALUE) out.push(got);
      }
      return out;
    }
    const keys = Object.keys(v);
    if (keys.length === 1 && INTRINSIC.test(keys[0]!)) return this.intrinsic(keys[0]!, (v as Obj)[keys[0]!], depth + 1, path);
    const out: Obj = {};
    for (const key of keys) {
      const got = this.resolve((v as Obj)[key], depth + 1, path);
      if (got !== NO_VALUE) out[key] = got;
    }
    return out;
  }

  /** A resolved value that must be one string (numbers and booleans as CloudFormation writes them). */
  private scalar(v: unknown, what: string): string | Unknown {
    if (v instanceof Unknown) return v;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return new Unknown(`${what}: must be a single value, found ${v === NO_VALUE ? 'AWS::NoValue' : shown(v)}`);
  }

  private intrinsic(fn: string, arg: unknown, depth: number, path: string): unknown {
    if (++this.steps > CFN_LIMITS.steps) this.limit(`more than ${CFN_LIMITS.steps} intrinsic functions evaluated, meshctl's limit`, path);
    switch (fn) {
      case 'Ref':
        return typeof arg === 'string' ? this.ref(arg, depth, path) : new Unknown('Ref needs a logical ID or parameter name');
      case 'Fn::GetAtt':
        return this.getAtt(arg, depth, path);
      case 'Fn::Sub':
        return this.sub(arg, depth, path);
      case 'Fn::Join':
        return this.join(arg, depth, path);
      case 'Fn::Select':
        return this.select(arg, depth, path);
      case 'Fn::Split':
        return this.split(arg, depth, path);
      case 'Fn::FindInMap':
        return this.findInMap(arg, depth, path);
      case 'Fn::If':
        return this.if(arg, depth, path);
      case 'Fn::ImportValue':
        return this.importValue(arg, depth, path);
      case 'Fn::Base64': {
        const text = this.scalar(this.resolve(arg, depth, path), 'Fn::Base64');
        return text instanceof Unknown ? prefixed('Fn::Base64', text) : this.counted(base64(text), path);
      }
      case 'Fn::Length': {
        const list = this.resolve(arg, depth, path);
        if (list instanceof Unknown) return prefixed('Fn::Length', list);
        return Array.isArray(list) ? list.length : new Unknown(`Fn::Length needs a list, found ${shown(list)}`);
      }
      case 'Fn::GetAZs':
        return this.getAZs(arg, depth, path);
      case 'Fn::Cidr': {
        const args = this.resolve(arg, depth, path);
        if (args instanceof Unknown) return prefixed('Fn::Cidr', args);
        if (!Array.isArray(args) || args.length !== 3) return new Unknown('Fn::Cidr needs [ipBlock, count, cidrBits]');
        const [block, count, bits] = args.map((a) => this.scalar(a, 'Fn::Cidr'));
        const unknown = [block, count, bits].find((a): a is Unknown => a instanceof Unknown);
        if (unknown) return unknown.why.startsWith('Fn::Cidr') ? unknown : prefixed('Fn::Cidr', unknown);
        const got = cidrBlocks(block as string, count as string, bits as string);
        return 'blocks' in got ? got.blocks : new Unknown(`Fn::Cidr: ${got.problem}`);
      }
      default:
        return new Unknown(`${fn} is not resolved by meshctl`);
    }
  }

  /** Fn::GetAZs REGION ('' is the stack's region): the zones read from EC2, for the region meshctl runs in. */
  private getAZs(arg: unknown, depth: number, path: string): unknown {
    const region = this.scalar(this.resolve(arg, depth, path), 'Fn::GetAZs');
    if (region instanceof Unknown) return prefixed('Fn::GetAZs', region);
    const d = this.deployment;
    const which = region === '' ? d.region : region;
    if (d.availabilityZones && (which === undefined || which === d.region)) return [...d.availabilityZones];
    const named = which === undefined ? "the stack's region" : `region ${which}`;
    const how =
      which !== undefined && d.region !== undefined && which !== d.region
        ? `meshctl reads the zones of ${d.region} only; run with --region ${which}`
        : 'meshctl reads them from EC2 (DescribeAvailabilityZones) when it answers; check the credentials and --region';
    return new Unknown(`Fn::GetAZs: the Availability Zones of ${named} were not read; ${how}`);
  }

  // ---- Ref, pseudo parameters, parameters, resources.

  private ref(name: string, depth: number, path: string): unknown {
    if (name === 'AWS::NoValue') return NO_VALUE;
    const given = this.deployment.parameters;
    if (given && Object.hasOwn(given, name)) return this.parameterValue(name, given[name]!);
    if (name.startsWith('AWS::')) return this.pseudo(name);
    const param = own(this.parameters, name);
    if (isObj(param)) {
      if (this.deployment.hidden?.includes(name)) {
        return new Unknown(`Ref ${name}: a NoEcho parameter, whose value CloudFormation does not return; pass --parameter ${name}=VALUE`);
      }
      if (param.Default === undefined) {
        return new Unknown(`Ref ${name}: a parameter without a Default, and no value was given; pass --parameter ${name}=VALUE`);
      }
      if (typeof param.Type === 'string' && param.Type.startsWith('AWS::SSM::Parameter::Value<')) {
        const ssm = `the value of SSM parameter ${shown(param.Default)}, which meshctl does not read`;
        return new Unknown(`Ref ${name}: ${ssm}; pass --parameter ${name}=VALUE or --from-stack STACK`);
      }
      return this.parameterValue(name, param.Default);
    }
    const resource = own(this.resources, name);
    if (!isObj(resource)) return new Unknown(`Ref ${name}: not a parameter or resource of this template`);
    const type = typeof resource.Type === 'string' ? resource.Type : 'a resource';
    const kind = kindOf(resource.Type, 'cfn');
    // For App Mesh resources Ref gives the ARN; the name is what meshctl needs, and the template has it.
    if (kind) return this.named(name, KINDS[kind].cfnName, `Ref ${name}`, depth, path);
    const physical = this.deployment.physicalIds?.[name];
    if (physical !== undefined) return physical;
    const key = REF_PROPERTIES[type];
    const props = resource.Properties;
    if (key !== undefined && isObj(props) && own(props, key) !== undefined) return this.named(name, key, `Ref ${name}`, depth, path);
    return new Unknown(`Ref ${name}: the physical ID of ${type}, known once the stack is deployed; ${this.deployedHint}`);
  }

  /** A parameter's value as Ref gives it: a list for the list types (CommaDelimitedList, List<...>). */
  private parameterValue(name: string, value: unknown): unknown {
    const param = own(this.parameters, name);
    const type = isObj(param) && typeof param.Type === 'string' ? param.Type : '';
    const isList = type === 'CommaDelimitedList' || type.startsWith('List<');
    if (isList && typeof value === 'string') return value === '' ? [] : value.split(',').map((s) => s.trim());
    return value;
  }

  private pseudo(name: string): unknown {
    const d = this.deployment;
    const known = (v: string | undefined, unknown: string) => v ?? new Unknown(`Ref ${name}: ${unknown}`);
    switch (name) {
      case 'AWS::StackName':
        return known(d.stackName, "the stack's name; pass --stack-name NAME");
      case 'AWS::StackId':
        return known(d.stackId, `known once the stack is deployed; ${this.deployedHint}`);
      case 'AWS::Region':
        return known(d.region, "the stack's region; pass --region REGION");
      case 'AWS::AccountId':
        return known(d.accountId, 'the account ID, read from STS when AWS answers; pass --parameter AWS::AccountId=ID');
      case 'AWS::Partition':
      case 'AWS::URLSuffix': {
        if (d.region === undefined) return new Unknown(`Ref ${name}: follows from the region; pass --region REGION`);
        const { partition, suffix } = partitionOf(d.region);
        return name === 'AWS::Partition' ? partition : suffix;
      }
      case 'AWS::NotificationARNs':
        return new Unknown(`Ref ${name}: the stack's notification topics are not read by meshctl`);
      default:
        return new Unknown(`Ref ${name}: not a pseudo parameter CloudFormation has`);
    }
  }

  /** A resource's property as one value, resolved once; its name from its ARN when the template leaves the name to CloudFormation. */
  private named(logical: string, key: string, what: string, depth: number, path: string): unknown {
    const id = `${logical}.Properties.${key}`;
    const got = this.propertyValue(logical, key, depth, path);
    if (!(got instanceof Unknown)) return this.scalar(got, `${what}: ${id}`);
    const physical = this.deployment.physicalIds?.[logical];
    // An App Mesh ARN ends in the object's name: arn:aws:appmesh:region:account:mesh/m/virtualNode/NAME.
    if (got.why === `${id} is not set` && physical?.startsWith('arn:') && kindOf((own(this.resources, logical) as Obj).Type, 'cfn')) {
      return physical.slice(physical.lastIndexOf('/') + 1);
    }
    return new Unknown(got.why.startsWith(`${id} `) ? `${what}: ${got.why}` : `${what}: ${id}: ${got.why}`);
  }

  /** A resource's property resolved (memoized), or an Unknown: not set, refers back to itself, or why not. */
  private propertyValue(logical: string, key: string, depth: number, path: string): unknown {
    const id = `${logical}.Properties.${key}`;
    if (this.memo.has(id)) return this.memo.get(id);
    if (this.busy.has(id)) return new Unknown(`${id} refers back to itself`);
    const props = (own(this.resources, logical) as Obj).Properties;
    const raw = isObj(props) ? own(props, key) : undefined;
    if (raw === undefined) return new Unknown(`${id} is not set`);
    this.busy.add(id);
    let out: unknown;
    try {
      out = this.resolve(raw, depth, path);
    } finally {
      this.busy.delete(id);
    }
    // A value found through a cycle is not kept: read from elsewhere, the cycle is named from there.
    if (!(out instanceof Unknown && out.why.endsWith(' refers back to itself'))) this.memo.set(id, out);
    return out;
  }

  private getAtt(arg: unknown, depth: number, path: string): unknown {
    const usage = new Unknown('Fn::GetAtt needs [logicalId, attribute] or "logicalId.attribute"');
    const raw: unknown = typeof arg === 'string' ? splitAtDot(arg) : arg;
    if (!Array.isArray(raw) || raw.length < 2 || typeof raw[0] !== 'string') return usage;
    // A short form `!GetAtt Stack.Outputs.Name` arrives split at every dot; the attribute is all after the first.
    const attr = raw.length > 2 ? raw.slice(1).join('.') : this.scalar(this.resolve(raw[1], depth, path), 'Fn::GetAtt');
    if (attr instanceof Unknown) return prefixed('Fn::GetAtt', attr);
    return this.attribute(raw[0], attr, depth, path);
  }

  private attribute(logical: string, attr: string, depth: number, path: string): unknown {
    const what = `Fn::GetAtt ${logical}.${attr}`;
    const resource = own(this.resources, logical);
    if (!isObj(resource)) return new Unknown(`${what}: not a resource of this template`);
    const deployed = this.deployment.attributes?.[logical]?.[attr];
    if (deployed !== undefined) return deployed;
    const type = typeof resource.Type === 'string' ? resource.Type : 'a resource';
    const kind = kindOf(type, 'cfn');
    const names = new Set(Object.values(KINDS).flatMap((k) => [k.cfnName, k.cfnParent ?? k.cfnName, 'MeshName']));
    if (kind && names.has(attr)) return this.named(logical, attr, what, depth, path);
    const key = ATTRIBUTE_PROPERTIES[type]?.[attr];
    if (key !== undefined) return this.named(logical, key, what, depth, path);
    const physical = this.deployment.physicalIds?.[logical];
    // Ref of an App Mesh resource is its ARN, of a Cloud Map resource its ID: those attributes are the physical ID.
    if (physical !== undefined && ((kind && attr === 'Arn') || (type.startsWith('AWS::ServiceDiscovery::') && attr === 'Id')))
      return physical;
    // Of the deployed resources meshctl reads a nested stack's outputs and a load balancer's DNS name (with
    // --from-stack); any other attribute has no flag: it is set by hand in the mesh file.
    const readable =
      (type === 'AWS::CloudFormation::Stack' && attr.startsWith('Outputs.')) ||
      (type === 'AWS::ElasticLoadBalancingV2::LoadBalancer' && attr === 'DNSName');
    const hint = readable
      ? this.deployedHint
      : 'meshctl does not read it from AWS: set it in a mesh file (mesh import --allow-partial, then --mesh-file)';
    return new Unknown(`${what}: an attribute of ${type}, known once the stack is deployed; ${hint}`);
  }

  // ---- Strings and lists.

  private sub(arg: unknown, depth: number, path: string): unknown {
    const [text, vars, ...extra]: unknown[] = typeof arg === 'string' ? [arg, {}] : Array.isArray(arg) ? arg : [];
    if (typeof text !== 'string' || !isObj(vars) || extra.length > 0) return new Unknown('Fn::Sub needs a string or [string, {variables}]');
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
      const pair = splitAtDot(name);
      const raw = Object.hasOwn(vars, name)
        ? this.resolve(vars[name], depth, path)
        : pair
          ? this.attribute(pair[0], pair[1], depth, path)
          : this.ref(name, depth, path);
      const got = this.scalar(raw, `Fn::Sub \${${name}}`);
      if (got instanceof Unknown) {
        if (got.why.startsWith('Fn::Sub ${')) return got;
        // `Ref X: why` or `Fn::GetAtt X.Y: why` inside ${X} says the name twice: once is enough.
        const inner = got.why.replace(/^(Ref \S+|Fn::GetAtt \S+): /, '');
        return new Unknown(`Fn::Sub \${${name}}: ${inner}`);
      }
      out += got;
      if (out.length > CFN_LIMITS.chars) this.counted(out, path);
    }
    return this.counted(out + text.slice(last), path);
  }

  private join(arg: unknown, depth: number, path: string): unknown {
    if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string') return new Unknown('Fn::Join needs [separator, [values]]');
    const list = this.resolve(arg[1], depth, path);
    if (list instanceof Unknown) return prefixed('Fn::Join', list);
    if (!Array.isArray(list)) return new Unknown(`Fn::Join needs a list of values, found ${shown(list)}`);
    const parts: string[] = [];
    let size = 0;
    for (const part of list) {
      const got = this.scalar(part, 'Fn::Join');
      if (got instanceof Unknown) return got.why.startsWith('Fn::Join') ? got : prefixed('Fn::Join', got);
      size += got.length + arg[0].length;
      if (size > CFN_LIMITS.chars) this.counted(parts.join(arg[0]) + got, path);
      parts.push(got);
    }
    return this.counted(parts.join(arg[0]), path);
  }

  private select(arg: unknown, depth: number, path: string): unknown {
    if (!Array.isArray(arg) || arg.length !== 2) return new Unknown('Fn::Select needs [index, [values]]');
    const index = this.scalar(this.resolve(arg[0], depth, path), 'Fn::Select');
    if (index instanceof Unknown) return prefixed('Fn::Select', index);
    const list = this.resolve(arg[1], depth, path);
    if (list instanceof Unknown) return prefixed('Fn::Select', list);
    if (!Array.isArray(list)) return new Unknown(`Fn::Select needs a list, found ${shown(list)}`);
    const i = /^\d+$/.test(index) ? Number(index) : NaN;
    if (!(i < list.length)) return new Unknown(`Fn::Select: index ${shown(index)} is not one of the list's ${list.length} items`);
    return list[i];
  }

  private split(arg: unknown, depth: number, path: string): unknown {
    if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string' || arg[0] === '') {
      return new Unknown('Fn::Split needs [delimiter, string]');
    }
    const text = this.scalar(this.resolve(arg[1], depth, path), 'Fn::Split');
    return text instanceof Unknown ? prefixed('Fn::Split', text) : text.split(arg[0]);
  }

  private findInMap(arg: unknown, depth: number, path: string): unknown {
    if (!Array.isArray(arg) || arg.length !== 3) return new Unknown('Fn::FindInMap needs [map, top-level key, second-level key]');
    const keys: string[] = [];
    for (const k of arg) {
      const got = this.scalar(this.resolve(k, depth, path), 'Fn::FindInMap');
      if (got instanceof Unknown) return prefixed('Fn::FindInMap', got);
      keys.push(got);
    }
    const [map, top, second] = keys as [string, string, string];
    const m = own(this.mappings, map);
    const row = isObj(m) ? own(m, top) : undefined;
    const v = isObj(row) ? own(row, second) : undefined;
    if (v === undefined) return new Unknown(`Fn::FindInMap: Mappings.${map}.${top}.${second} is not in the template`);
    return this.resolve(v, depth, path);
  }

  private importValue(arg: unknown, depth: number, path: string): unknown {
    const name = this.scalar(this.resolve(arg, depth, path), 'Fn::ImportValue');
    if (name instanceof Unknown) return prefixed('Fn::ImportValue', name);
    const exports = this.deployment.exports;
    if (exports && Object.hasOwn(exports, name)) return exports[name];
    return new Unknown(`Fn::ImportValue ${name}: no export of that name was given or read; pass --export ${name}=VALUE`);
  }

  // ---- Conditions.

  private if(arg: unknown, depth: number, path: string): unknown {
    if (!Array.isArray(arg) || arg.length !== 3 || typeof arg[0] !== 'string') return new Unknown('Fn::If needs [condition, then, else]');
    const holds = this.condition(arg[0], depth, path);
    if (holds instanceof Unknown) return prefixed(`Fn::If ${arg[0]}`, holds);
    return this.resolve(holds ? arg[1] : arg[2], depth, path);
  }

  /** A named condition of the Conditions section, evaluated once. */
  private condition(name: string, depth: number, path: string): boolean | Unknown {
    const id = `Conditions.${name}`;
    if (this.memo.has(id)) return this.memo.get(id) as boolean | Unknown;
    if (this.busy.has(id)) return new Unknown(`${id} refers back to itself`);
    const raw = own(this.conditions, name);
    if (raw === undefined) return new Unknown(`${id} is not in the template`);
    this.busy.add(id);
    let got: boolean | Unknown;
    try {
      got = this.test(raw, depth, path);
    } finally {
      this.busy.delete(id);
    }
    const out = got instanceof Unknown ? prefixed(`condition ${name}`, got) : got;
    this.memo.set(id, out);
    return out;
  }

  /** A condition function (Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition) to true, false or Unknown. */
  private test(v: unknown, depth: number, path: string): boolean | Unknown {
    if (depth > CFN_LIMITS.depth) return new Unknown(`conditions nested more than ${CFN_LIMITS.depth} deep`);
    if (++this.steps > CFN_LIMITS.steps) this.limit(`more than ${CFN_LIMITS.steps} intrinsic functions evaluated, meshctl's limit`, path);
    const [fn, arg] = isObj(v) && Object.keys(v).length === 1 ? Object.entries(v)[0]! : [undefined, undefined];
    if (fn === 'Condition' && typeof arg === 'string') return this.condition(arg, depth + 1, path);
    if (fn === 'Fn::Equals') {
      if (!Array.isArray(arg) || arg.length !== 2) return new Unknown('Fn::Equals needs [value, value]');
      const [a, b] = arg.map((x) => this.resolve(x, depth + 1, path));
      if (a instanceof Unknown) return a;
      if (b instanceof Unknown) return b;
      const text = (x: unknown) =>
        typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean' ? String(x) : JSON.stringify(x);
      return text(a) === text(b);
    }
    if (fn === 'Fn::Not') {
      if (!Array.isArray(arg) || arg.length !== 1) return new Unknown('Fn::Not needs [condition]');
      const got = this.test(arg[0], depth + 1, path);
      return got instanceof Unknown ? got : !got;
    }
    if (fn === 'Fn::And' || fn === 'Fn::Or') {
      if (!Array.isArray(arg) || arg.length < 2) return new Unknown(`${fn} needs a list of conditions`);
      const all = arg.map((c) => this.test(c, depth + 1, path));
      const decisive = fn === 'Fn::And' ? false : true;
      // A known decisive answer settles it, whatever the unknown ones are.
      if (all.includes(decisive)) return decisive;
      return all.find((x): x is Unknown => x instanceof Unknown) ?? !decisive;
    }
    const literal = this.resolve(v, depth + 1, path);
    if (typeof literal === 'boolean') return literal;
    if (literal === 'true' || literal === 'false') return literal === 'true';
    return literal instanceof Unknown ? literal : new Unknown(`not a condition: ${shown(literal)}`);
  }
}

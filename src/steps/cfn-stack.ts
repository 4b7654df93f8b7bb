import type { CloudFormationApi, DescribedStack } from '../aws/cloudformation.js';
import { escapeControls } from '../core/escape.js';
import { importNames, parseParametersText, unknownParameterProblems } from '../core/mesh/sources/cfn-inputs.js';
import { getAzsAnswer } from '../core/mesh/sources/cfn-network.js';
import type { CfnDeployment } from '../core/mesh/sources/cfn-resolve.js';
import { AwsCallError, InterruptedError, MeshctlError, UsageError } from '../errors.js';
import type { Context } from '../runtime/context.js';
import { readTextFile } from '../runtime/files.js';
import { parseYaml } from '../runtime/yaml.js';

/** What the user gave for CloudFormation templates (src/cli/options/source.ts), checked for syntax. */
export interface StackInputs {
  /** --from-stack: deployed stacks to read, each once. */
  stacks: string[];
  /** --parameter values by key. */
  parameters: Record<string, string>;
  parametersFile?: string;
  stackName?: string;
  /** --export values by name. */
  exports: Record<string, string>;
}

/** A template and what its deployment knows, ready for fromCloudFormation; `notes` say what could not be read. */
export interface TemplateSource {
  template: unknown;
  source: string;
  deployment: CfnDeployment;
  notes: string[];
}

/**
 * CloudFormation's short forms of its intrinsic and condition functions (the YAML tags a template may
 * use): https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
 */
const SHORT_FORMS = [
  'Ref',
  'Condition',
  'Base64',
  'Cidr',
  'FindInMap',
  'GetAtt',
  'GetAZs',
  'ImportValue',
  'Join',
  'Length',
  'Select',
  'Split',
  'Sub',
  'ToJsonString',
  'Transform',
  'And',
  'Equals',
  'If',
  'Not',
  'Or',
] as const;

/**
 * A CloudFormation template's text (JSON or YAML, as a file or GetTemplate gives it), with YAML's short
 * forms (!Ref, !GetAtt, !Sub, …) as the long forms the template reader takes. `source` names it in errors.
 */
export async function parseTemplateText(body: string, source: string): Promise<unknown> {
  // Each short form on any node: a scalar (!Ref x), a list (!Join [...]) or a mapping (!Base64 {...}, !Transform {...}).
  const tags = SHORT_FORMS.flatMap((name) => {
    const fn = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
    // A list or mapping arrives as the library's node: its plain value, or the reader would see a YAMLSeq, not an array.
    const plain = (value: unknown) =>
      typeof (value as { toJSON?: unknown })?.toJSON === 'function' ? (value as { toJSON(): unknown }).toJSON() : value;
    const resolve = (value: unknown) => ({ [fn]: name === 'GetAtt' && typeof value === 'string' ? value.split('.') : plain(value) });
    return [
      { tag: `!${name}`, resolve },
      { tag: `!${name}`, collection: 'seq' as const, resolve },
      { tag: `!${name}`, collection: 'map' as const, resolve },
    ];
  });
  return parseYaml(body, source, 'YAML or JSON', tags as never);
}

/** A stack ARN's region and account: arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/ID. */
function arnParts(arn: string): { region?: string; accountId?: string } {
  const [, , , region, accountId] = arn.split(':');
  return { ...(region ? { region } : {}), ...(accountId ? { accountId } : {}) };
}

const uses = (fn: string) => (template: unknown) => JSON.stringify(template ?? null).includes(`"${fn}"`);
const usesImports = uses('Fn::ImportValue');
const usesAZs = uses('Fn::GetAZs');

/** Why an AWS read did not answer, for a note; an interruption or a bug is thrown on. */
function unanswered(err: unknown): string {
  if (err instanceof InterruptedError || !(err instanceof MeshctlError)) throw err;
  return escapeControls(err.message.split('\n')[0] ?? '');
}

/** The parameter values given: --parameters-file, then each --parameter over it. */
async function givenParameters(inputs: StackInputs | undefined): Promise<Record<string, string>> {
  if (!inputs) return {};
  const file = inputs.parametersFile;
  const fromFile = file === undefined ? {} : parseParametersText(await readTextFile(file, 'the --parameters-file'), file);
  return { ...fromFile, ...inputs.parameters };
}

/**
 * The account's exports when AWS answers (ListExports), for templates that import; when it does not, a note
 * says so and Fn::ImportValue stays unknown unless --export gives it.
 */
async function accountExports(api: () => Promise<CloudFormationApi>, notes: string[]): Promise<Record<string, string>> {
  try {
    return await (await api()).listExports();
  } catch (err) {
    notes.push(`the account's exports could not be read (${unanswered(err)}); pass --export NAME=VALUE`);
    return {};
  }
}

/** What Fn::GetAZs gives in the region, from EC2; undefined (and a note) when EC2 does not answer. */
async function availabilityZones(ctx: () => Context, notes: string[]): Promise<string[] | undefined> {
  try {
    const ec2 = await ctx().aws.ec2();
    return getAzsAnswer(await ec2.describeAvailabilityZones(), await ec2.describeDefaultSubnetZones());
  } catch (err) {
    notes.push(`the region's Availability Zones could not be read (${unanswered(err)}): Fn::GetAZs stays unknown`);
    return undefined;
  }
}

const LOAD_BALANCER = 'AWS::ElasticLoadBalancingV2::LoadBalancer';

/**
 * The deployed load balancers' DNS names (Fn::GetAtt LB.DNSName: a node discovered by its load balancer's name,
 * as AWS's ALB walkthrough has it), read with one DescribeLoadBalancers for every stack; a note when ELB does
 * not answer. Only for stacks whose templates declare a load balancer and ask for a DNSName.
 */
async function loadBalancerNames(ctx: () => Context, stacks: TemplateSource[]): Promise<void> {
  const wanted: { t: TemplateSource; logical: string; arn: string }[] = [];
  for (const t of stacks) {
    if (!JSON.stringify(t.template ?? null).includes('DNSName')) continue;
    const resources = (t.template as { Resources?: Record<string, { Type?: unknown }> } | null)?.Resources ?? {};
    for (const [logical, r] of Object.entries(resources)) {
      const arn = t.deployment.physicalIds?.[logical];
      if (r?.Type === LOAD_BALANCER && arn?.startsWith('arn:')) wanted.push({ t, logical, arn });
    }
  }
  if (!wanted.length) return;
  try {
    const found = new Map((await (await ctx().aws.elbv2()).describeLoadBalancers(wanted.map((w) => w.arn))).map((b) => [b.arn, b]));
    for (const { t, logical, arn } of wanted) {
      const dnsName = found.get(arn)?.dnsName;
      if (dnsName) t.deployment.attributes![logical] = { ...t.deployment.attributes![logical], DNSName: dnsName };
    }
  } catch (err) {
    const note = `the stacks' load balancers could not be read (${unanswered(err)}): Fn::GetAtt of their DNSName stays unknown`;
    for (const t of new Set(wanted.map((w) => w.t))) t.notes.push(note);
  }
}

/**
 * One deployed stack read (GetTemplate, DescribeStacks, ListStackResources), with its nested stacks after it.
 * `seen` holds every stack read, by name and by ID: a stack named twice, or also reached as a nested stack, is
 * read once.
 */
async function readStack(
  api: CloudFormationApi,
  name: string,
  seen: Map<string, DescribedStack>,
  out: TemplateSource[],
): Promise<DescribedStack> {
  const known = seen.get(name);
  if (known) return known;
  const stack = await api.describeStack(name);
  if (!stack) {
    throw new AwsCallError(
      'DescribeStacks',
      'ValidationError',
      400,
      `--from-stack: stack "${escapeControls(name)}" does not exist; check the name and the region`,
      'check the name and the region',
    );
  }
  const again = seen.get(stack.id);
  seen.set(name, again ?? stack);
  if (again) return again;
  seen.set(stack.id, stack).set(stack.name, stack);
  const body = await api.getTemplate(stack.id);
  const template = await parseTemplateText(body, `the template of stack ${stack.name}`);
  const resources = await api.listStackResources(stack.id);
  const physicalIds: Record<string, string> = {};
  for (const r of resources) if (r.physicalId) physicalIds[r.logicalId] = r.physicalId;
  const source: TemplateSource = {
    template,
    source: `stack ${stack.name}`,
    deployment: {
      stackName: stack.name,
      stackId: stack.id,
      ...arnParts(stack.id),
      parameters: stack.parameters,
      hidden: stack.hidden,
      physicalIds,
      attributes: {},
      deployedHint: 'the stack does not say; pass --parameter, --export or a template file',
    },
    notes: [],
  };
  out.push(source);
  // A nested stack is read as a stack of its own (its parameters are what the parent passed down); its outputs
  // are the parent's Fn::GetAtt Nested.Outputs.Name.
  for (const r of resources) {
    if (r.type !== 'AWS::CloudFormation::Stack' || !r.physicalId) continue;
    const nested = await readStack(api, r.physicalId, seen, out);
    source.deployment.attributes![r.logicalId] = Object.fromEntries(Object.entries(nested.outputs).map(([k, v]) => [`Outputs.${k}`, v]));
  }
  return stack;
}

/**
 * The templates to read: a template file (--from-cloudformation) with what the user gave, then each deployed
 * stack (--from-stack) and its nested stacks, each read once. The file and the parameters file are read and
 * checked before any request (exit 2); a stack that does not exist is exit 3 naming it.
 */
export async function readTemplates(
  file: string | undefined,
  inputs: StackInputs | undefined,
  ctx?: () => Context,
): Promise<TemplateSource[]> {
  const given = await givenParameters(inputs);
  const stacks = inputs?.stacks ?? [];
  const out: TemplateSource[] = [];
  if (file !== undefined) {
    const template = await parseTemplateText(await readTextFile(file, 'the template'), file);
    const problems = unknownParameterProblems(given, [template], file);
    if (problems.length && stacks.length === 0) throw UsageError.of(problems);
    out.push({
      template,
      source: file,
      deployment: {
        parameters: given,
        exports: { ...(inputs?.exports ?? {}) },
        ...(inputs?.stackName !== undefined ? { stackName: inputs.stackName } : {}),
        ...(ctx?.().region !== undefined ? { region: ctx().region } : {}),
      },
      notes: [],
    });
  } else if (
    stacks.length === 0 &&
    (Object.keys(given).length || inputs?.stackName !== undefined || Object.keys(inputs?.exports ?? {}).length)
  ) {
    throw new UsageError(
      '--parameter, --parameters-file, --stack-name and --export are for a template: pass --from-cloudformation FILE or --from-stack NAME',
    );
  }
  if (!ctx) return out;
  const api = () => ctx().aws.cloudFormation();
  const seen = new Map<string, DescribedStack>();
  const fromStacks: TemplateSource[] = [];
  for (const name of stacks) {
    ctx().checkpoint();
    await readStack(await api(), name, seen, fromStacks);
  }
  if (fromStacks.length) {
    const problems = unknownParameterProblems(
      given,
      [...out, ...fromStacks].map((t) => t.template),
      "the stacks' templates",
    );
    if (problems.length) throw UsageError.of(problems);
  }
  await loadBalancerNames(ctx, fromStacks);
  // What the user gave beats what the stack said (a NoEcho value, say).
  for (const t of fromStacks) t.deployment.parameters = { ...t.deployment.parameters, ...given };
  const all = [...out, ...fromStacks];
  const givenExports = inputs?.exports ?? {};
  const importing = all.filter((t) => usesImports(t.template));
  // ListExports only when --export does not give every name the templates import.
  const missing = importing.some((t) =>
    importNames(t.template, t.deployment, t.source).some((n) => n === null || !Object.hasOwn(givenExports, n)),
  );
  if (missing) {
    const notes: string[] = [];
    const exports = { ...(await accountExports(api, notes)), ...givenExports };
    for (const t of importing) {
      t.deployment.exports = exports;
      t.notes.push(...notes);
    }
  } else for (const t of importing) t.deployment.exports = { ...givenExports };
  const zonesFor = all.filter((t) => usesAZs(t.template));
  if (zonesFor.length) {
    const notes: string[] = [];
    const zones = await availabilityZones(ctx, notes);
    for (const t of zonesFor) {
      if (zones) t.deployment.availabilityZones = zones;
      t.notes.push(...notes);
    }
  }
  return all;
}

import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseTemplateText } from '../../src/steps/migrate-cluster.js';
import { parseYaml } from '../../src/runtime/yaml.js';
import { InputError, UsageError } from '../../src/errors.js';

const problemsOf = async (p: Promise<unknown>): Promise<readonly string[]> => {
  try {
    await p;
  } catch (err) {
    if (err instanceof UsageError) return err.problems;
    if (err instanceof InputError) return [err.message];
    throw err;
  }
  return [];
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe('parseYaml: the library never speaks for itself', () => {
  it('reads plain YAML and JSON', async () => {
    expect(await parseYaml('cluster: c\nservices: [a, b]\n', 'meshctl.yaml', 'YAML')).toEqual({ cluster: 'c', services: ['a', 'b'] });
    expect(await parseYaml('\uFEFF{"a": 1}', 'm.json', 'YAML or JSON')).toEqual({ a: 1 });
  });

  it('refuses an unknown tag, naming the file, the path and the line, and prints nothing itself', async () => {
    const warn = vi.spyOn(console, 'warn');
    const emit = vi.spyOn(process, 'emitWarning');
    const text = 'cluster: !foo c\nservices:\n  - ok\n  - !bar x\ntimeouts: !baz\n  wait: 1m\n';
    expect(await problemsOf(parseYaml(text, 'meshctl.yaml', 'YAML'))).toEqual([
      'meshctl.yaml: cluster (line 1): unknown tag "!foo"; remove it: meshctl reads plain values',
      'meshctl.yaml: services[1] (line 4): unknown tag "!bar"; remove it: meshctl reads plain values',
      'meshctl.yaml: timeouts (line 5): unknown tag "!baz"; remove it: meshctl reads plain values',
    ]);
    expect(warn).not.toHaveBeenCalled();
    expect(emit).not.toHaveBeenCalled();
  });

  it('one unknown tag is one InputError (exit 2); a file name and a key with escapes are escaped', async () => {
    const err = await parseYaml('"x\\e[2J": !t 1\n', 'm\u001b]0;x.yaml', 'YAML or JSON').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe('m\\u001b]0;x.yaml: x\\u001b[2J (line 1): unknown tag "!t"; remove it: meshctl reads plain values');
  });

  it('says what is not valid in one line, without the source excerpt', async () => {
    expect(await problemsOf(parseYaml('a: [1, 2\n', 'f.yaml', 'YAML or JSON'))).toEqual([
      expect.stringMatching(/^f\.yaml: not valid YAML or JSON \([^\n]*at line \d+, column \d+\)$/),
    ]);
    const bomb = `a: &a [x, x, x, x, x, x, x, x, x, x]\n${Array.from({ length: 120 }, (_, i) => `k${i}: *a`).join('\n')}\n`;
    expect(await problemsOf(parseYaml(bomb, 'b.yaml', 'YAML'))).toEqual([expect.stringMatching(/^b\.yaml: not valid YAML \(.*alias/i)]);
  });

  it("a template takes CloudFormation's short forms, and no other tag", async () => {
    const ok = 'Resources:\n  M:\n    Type: AWS::AppMesh::Mesh\n    Properties:\n      MeshName: !Ref Name\n      Spec: !GetAtt A.B\n';
    expect(await parseTemplateText(ok, 't.yaml')).toEqual({
      Resources: { M: { Type: 'AWS::AppMesh::Mesh', Properties: { MeshName: { Ref: 'Name' }, Spec: { 'Fn::GetAtt': ['A', 'B'] } } } },
    });
    // Every short form, on a scalar, a list and a mapping, is read as its long form: none is an unknown tag.
    const forms = ['Ref', 'Condition', 'Base64', 'Cidr', 'FindInMap', 'GetAZs', 'ImportValue', 'Join', 'Length', 'Select', 'Split'];
    const more = ['Sub', 'ToJsonString', 'Transform', 'And', 'Equals', 'If', 'Not', 'Or', 'GetAtt'];
    const text = [...forms, ...more].map((f, i) => `s${i}: !${f} x\nl${i}: !${f} [a, b]\nm${i}: !${f} {k: v}`).join('\n');
    const all = (await parseTemplateText(text, 't.yaml')) as Record<string, unknown>;
    expect(all.l7).toEqual({ 'Fn::Join': ['a', 'b'] });
    expect(all.m13).toEqual({ 'Fn::Transform': { k: 'v' } });
    expect(all.s0).toEqual({ Ref: 'x' });
    expect(all.s1).toEqual({ Condition: 'x' });
    expect(await problemsOf(parseTemplateText(ok.replace('!Ref', '!Reference'), 't.yaml'))).toEqual([
      `t.yaml: Resources.M.Properties.MeshName (line 5): unknown tag "!Reference"; only CloudFormation's short forms (!Ref, !Sub, !GetAtt, …) are read`,
    ]);
  });
});

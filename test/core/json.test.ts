import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderEnvoy } from '../../src/core/envoy/render.js';
import { toDescribed } from '../../src/core/task-definition.js';
import { checkJsonDepth, jsonKind, jsonPath, MAX_JSON_DEPTH } from '../../src/core/json.js';
import { InputError } from '../../src/errors.js';

type Json = Record<string, unknown>;
const fixture = (): Json => JSON.parse(readFileSync(new URL('../fixtures/crystal-describe.json', import.meta.url), 'utf8'));
/** The fixture with one change to its task definition. */
const tdWith = (change: (td: Json & { containerDefinitions: Json[] }) => void): Json => {
  const d = fixture();
  change(d.taskDefinition as Json & { containerDefinitions: Json[] });
  return d;
};
/** A value nested `levels` deep: levels 1 is `[]`. */
const nested = (levels: number): unknown => JSON.parse(`${'['.repeat(levels)}${']'.repeat(levels)}`);
const options = { mesh: 'm', virtualNode: 'n', envoyImage: 'envoy:1' };

describe('jsonPath', () => {
  it.each([
    [['taskDefinition', 'containerDefinitions', 0, 'portMappings'], 'taskDefinition.containerDefinitions[0].portMappings'],
    [['containerDefinitions', 1, 'name'], 'containerDefinitions[1].name'],
    [['tags', 0], 'tags[0]'],
    [['dockerLabels', 'com.example/team'], 'dockerLabels["com.example/team"]'],
    [['a b', 0], '["a b"][0]'],
    [[`x${String.fromCharCode(27)}[2J`], '["x\\u001b[2J"]'],
  ])('writes %j as %s', (parts, expected) => {
    expect(jsonPath(parts)).toBe(expected);
  });
});

describe('jsonKind', () => {
  it.each([
    [{}, 'an object'],
    [[], 'a list'],
    ['x', 'a string'],
    [1, 'a number'],
    [true, 'a boolean'],
    [null, 'null'],
  ])('calls %j %s', (value, kind) => {
    expect(jsonKind(value)).toBe(kind);
  });
});

describe('checkJsonDepth', () => {
  it(`accepts ${MAX_JSON_DEPTH} levels`, () => {
    expect(() => checkJsonDepth({ a: nested(MAX_JSON_DEPTH - 1) }, 'f.json')).not.toThrow();
  });

  it(`refuses ${MAX_JSON_DEPTH + 1} levels, naming the file and where, shortened`, () => {
    expect(() => checkJsonDepth({ a: nested(MAX_JSON_DEPTH) }, 'f.json')).toThrow(
      'f.json: a[0][0][0][0][0][0][0]…: nested deeper than 64 levels; is this the right file?',
    );
  });

  it('names the first too-deep path in the file', () => {
    expect(() => checkJsonDepth({ ok: [1, 2], deep: [{}, { b: nested(70) }] }, 'f.json')).toThrow(/^f\.json: deep\[1\]\.b\[0\]/);
  });

  it('walks 100000 levels without overflowing the stack', () => {
    let thrown: unknown;
    try {
      checkJsonDepth(nested(100_000), 'f.json');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(InputError);
  });

  it('leaves values the SDK gives (a Date) alone', () => {
    expect(() => checkJsonDepth({ taskDefinition: { registeredAt: new Date(0) } }, 'DescribeTaskDefinition')).not.toThrow();
  });
});

describe('toDescribed checks the shape of what meshctl reads', () => {
  it.each<[string, Json, string]>([
    [
      'containerDefinitions an object',
      tdWith((t) => (t.containerDefinitions = { name: 'crystal' } as never)),
      'td.json: taskDefinition.containerDefinitions: must be a list, found an object',
    ],
    [
      'containerDefinitions a string',
      tdWith((t) => (t.containerDefinitions = 'crystal' as never)),
      'td.json: taskDefinition.containerDefinitions: must be a list, found a string',
    ],
    [
      'a container that is a string',
      tdWith((t) => t.containerDefinitions.push('envoy' as never)),
      'td.json: taskDefinition.containerDefinitions[1]: must be an object, found a string',
    ],
    [
      'portMappings an object',
      tdWith((t) => (t.containerDefinitions[0]!.portMappings = { containerPort: 3000 })),
      'td.json: taskDefinition.containerDefinitions[0].portMappings: must be a list, found an object',
    ],
    [
      'portMappings a string',
      tdWith((t) => (t.containerDefinitions[0]!.portMappings = '3000:3000')),
      'td.json: taskDefinition.containerDefinitions[0].portMappings: must be a list, found a string',
    ],
    [
      'containerPort a string',
      tdWith((t) => (t.containerDefinitions[0]!.portMappings = [{ containerPort: '3000' }])),
      'td.json: taskDefinition.containerDefinitions[0].portMappings[0].containerPort: must be a number, found a string',
    ],
    [
      'dependsOn a string',
      tdWith((t) => (t.containerDefinitions[0]!.dependsOn = 'envoy')),
      'td.json: taskDefinition.containerDefinitions[0].dependsOn: must be a list, found a string',
    ],
    [
      'dependsOn an object',
      tdWith((t) => (t.containerDefinitions[0]!.dependsOn = { containerName: 'envoy' })),
      'td.json: taskDefinition.containerDefinitions[0].dependsOn: must be a list, found an object',
    ],
    [
      'a dependsOn containerName a number',
      tdWith((t) => (t.containerDefinitions[0]!.dependsOn = [{ containerName: 1, condition: 'START' }])),
      'td.json: taskDefinition.containerDefinitions[0].dependsOn[0].containerName: must be a string, found a number',
    ],
    [
      'environment an object',
      tdWith((t) => (t.containerDefinitions[0]!.environment = { APP_ENV: 'workshop' })),
      'td.json: taskDefinition.containerDefinitions[0].environment: must be a list, found an object',
    ],
    [
      'an environment entry null',
      tdWith((t) => (t.containerDefinitions[0]!.environment = [null])),
      'td.json: taskDefinition.containerDefinitions[0].environment[0]: must be an object, found null',
    ],
    [
      'an environment value a number',
      tdWith((t) => (t.containerDefinitions[0]!.environment = [{ name: 'PORT', value: 3000 }])),
      'td.json: taskDefinition.containerDefinitions[0].environment[0].value: must be a string, found a number',
    ],
    [
      'a container name a number',
      tdWith((t) => (t.containerDefinitions[0]!.name = 7)),
      'td.json: taskDefinition.containerDefinitions[0].name: must be a string, found a number',
    ],
    [
      'image a list',
      tdWith((t) => (t.containerDefinitions[0]!.image = ['a'])),
      'td.json: taskDefinition.containerDefinitions[0].image: must be a string, found a list',
    ],
    ['family a number', tdWith((t) => (t.family = 7)), 'td.json: taskDefinition.family: must be a string, found a number'],
    ['networkMode true', tdWith((t) => (t.networkMode = true)), 'td.json: taskDefinition.networkMode: must be a string, found a boolean'],
    [
      'proxyConfiguration properties an object',
      tdWith((t) => (t.proxyConfiguration = { type: 'APPMESH', properties: { AppPorts: '3000' } })),
      'td.json: taskDefinition.proxyConfiguration.properties: must be a list, found an object',
    ],
    ['taskDefinition a string', { taskDefinition: 'crystal' }, 'td.json: taskDefinition: must be an object, found a string'],
    [
      'a tag value a number',
      { ...fixture(), tags: [{ key: 'team', value: 7 }] },
      'td.json: tags[0].value: must be a string, found a number',
    ],
    [
      'nesting 100000 deep inside a container',
      tdWith((t) => (t.containerDefinitions[0]!.logConfiguration = nested(100_000))),
      'td.json: taskDefinition.containerDefinitions[0].logConfiguration[0][0][0][0]…: nested deeper than 64 levels',
    ],
  ])('%s', (_name, value, message) => {
    let thrown: unknown;
    try {
      toDescribed(value, 'td.json');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(InputError);
    expect((thrown as Error).message).toContain(message);
  });

  it('names the path without taskDefinition. for a bare task definition', () => {
    const bare = tdWith((t) => (t.containerDefinitions[0]!.portMappings = {})).taskDefinition;
    expect(() => toDescribed(bare, 'td.json')).toThrow('td.json: containerDefinitions[0].portMappings: must be a list, found an object');
  });

  it('takes null for a field that is not given, as the renderer does', () => {
    const d = tdWith((t) => {
      t.containerDefinitions[0]!.dependsOn = null;
      t.containerDefinitions[0]!.environment = null;
      t.proxyConfiguration = null;
    });
    expect(renderEnvoy(toDescribed(d, 'td.json'), options).changed).toBe(true);
  });

  it('accepts the described fixture and fields it does not look at, whatever their type', () => {
    const d = tdWith((t) => (t.containerDefinitions[0]!.dockerLabels = { a: ['not', 'a', 'string'] }));
    expect(toDescribed(d, 'td.json').taskDefinition.family).toBe('appmesh-workshop-crystal-lb-vanilla');
  });

  it('accepts what the SDK returns (registeredAt as a Date)', () => {
    const d = tdWith((t) => (t.registeredAt = new Date(0)));
    expect(() => toDescribed(d, 'DescribeTaskDefinition')).not.toThrow();
  });
});

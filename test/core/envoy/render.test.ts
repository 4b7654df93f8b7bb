import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderEnvoy, workshopEnvoyImage, type EnvoyOptions } from '../../../src/core/envoy/render.js';
import { READ_ONLY_TASK_DEFINITION_FIELDS, toDescribed, type DescribedTaskDefinition } from '../../../src/core/task-definition.js';
import { InputError } from '../../../src/errors.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8'));
const described = (): DescribedTaskDefinition => toDescribed(fixture('crystal-describe.json'), 'crystal-describe.json');
const options: EnvoyOptions = { mesh: 'appmesh-workshop', virtualNode: 'crystal-lb-vanilla', envoyImage: workshopEnvoyImage('us-west-2') };

describe('renderEnvoy', () => {
  it("equals the workshop's jq output but for the documented differences", () => {
    const plan = renderEnvoy(described(), options);
    const jq = fixture('crystal-workshop-jq-output.json');
    // Deliberate differences: registeredAt/registeredBy are removed, tags are carried.
    delete jq.registeredAt;
    delete jq.registeredBy;
    const { tags, ...rest } = plan.input;
    expect(rest).toEqual(jq);
    expect(tags).toEqual(described().tags);
    expect(plan.changed).toBe(true);
  });

  it('keeps the key order of the jq output for the envoy container', () => {
    const jq = fixture('crystal-workshop-jq-output.json');
    const envoy = renderEnvoy(described(), options).input.containerDefinitions!.at(-1)!;
    expect(Object.keys(envoy)).toEqual(Object.keys(jq.containerDefinitions.at(-1)));
  });

  it.each(READ_ONLY_TASK_DEFINITION_FIELDS.map((f) => [f]))('removes the read-only field %s', (field) => {
    const d = described();
    (d.taskDefinition as Record<string, unknown>).deregisteredAt = '2026-04-01T00:00:00Z';
    const input = renderEnvoy(d, options).input as unknown as Record<string, unknown>;
    expect(field in d.taskDefinition).toBe(true);
    expect(input).not.toHaveProperty(field);
  });

  it('keeps an existing dependsOn and adds envoy HEALTHY', () => {
    const d = described();
    d.taskDefinition.containerDefinitions![0]!.dependsOn = [{ containerName: 'init', condition: 'SUCCESS' }];
    d.taskDefinition.containerDefinitions!.push({ name: 'init', image: 'busybox', essential: false });
    const app = renderEnvoy(d, options).input.containerDefinitions![0]!;
    expect(app.dependsOn).toEqual([
      { containerName: 'init', condition: 'SUCCESS' },
      { containerName: 'envoy', condition: 'HEALTHY' },
    ]);
  });

  it('carries the tags of the described revision', () => {
    expect(renderEnvoy(described(), options).input.tags).toEqual([
      { key: 'team', value: 'payments' },
      { key: 'workshop', value: 'appmesh' },
    ]);
  });

  it('leaves out tags when the revision has none', () => {
    const d = described();
    d.tags = [];
    expect(renderEnvoy(d, options).input).not.toHaveProperty('tags');
  });

  it('changes nothing when rendered again from its own output', () => {
    const once = renderEnvoy(described(), options);
    const again = renderEnvoy({ taskDefinition: once.input as never, tags: once.input.tags }, options);
    expect(again.changed).toBe(false);
    expect(again.input).toEqual(once.input);
    expect(again.notes.map((n) => n.message).join(' ')).toMatch(/already has an envoy container/);
  });

  it.each([
    [{ appPorts: [8080, 9090] }, '8080,9090'],
    [{}, '3000'],
  ])('sets AppPorts from %j to %s', (extra, expected) => {
    const props = renderEnvoy(described(), { ...options, ...extra }).input.proxyConfiguration!.properties!;
    expect(props.find((p) => p.name === 'AppPorts')?.value).toBe(expected);
  });

  it("defaults AppPorts to the app container's ports, else 3000", () => {
    const d = described();
    d.taskDefinition.containerDefinitions![0]!.portMappings = [{ containerPort: 8080 }, { containerPort: 8443 }];
    expect(renderEnvoy(d, options).appPorts).toEqual([8080, 8443]);
    d.taskDefinition.containerDefinitions![0]!.portMappings = [];
    expect(renderEnvoy(d, options).appPorts).toEqual([3000]);
  });

  it('makes the named --app-container depend on envoy, not the first one', () => {
    const d = described();
    d.taskDefinition.containerDefinitions!.push({ name: 'api', image: 'api', portMappings: [{ containerPort: 8080 }] });
    const plan = renderEnvoy(d, { ...options, appContainer: 'api' });
    const [crystal, api] = plan.input.containerDefinitions!;
    expect(crystal!.dependsOn).toBeUndefined();
    expect(api!.dependsOn).toEqual([{ containerName: 'envoy', condition: 'HEALTHY' }]);
    expect(plan.appPorts).toEqual([8080]);
  });

  it('rejects an --app-container that is not there, naming the containers', () => {
    expect(() => renderEnvoy(described(), { ...options, appContainer: 'ruby' })).toThrow(/no container named "ruby".*crystal/);
  });

  it('warns that the workshop envoy image is out of date and names the flag', () => {
    const warn = renderEnvoy(described(), options).notes.filter((n) => n.level === 'warn');
    expect(warn.map((n) => n.message).join('\n')).toMatch(/v1\.11\.2\.0-prod.*out of date[\s\S]*--envoy-image/);
  });

  it('does not warn about a current image', () => {
    const notes = renderEnvoy(described(), { ...options, envoyImage: 'example/envoy:v1.29.0.0-prod' }).notes;
    expect(notes).toEqual([]);
  });

  it('refuses an existing envoy that serves another virtual node', () => {
    const once = renderEnvoy(described(), options).input;
    expect(() => renderEnvoy({ taskDefinition: once as never }, { ...options, virtualNode: 'other' })).toThrow(InputError);
  });

  it('keeps an existing envoy with another image and says so', () => {
    const once = renderEnvoy(described(), options).input;
    const plan = renderEnvoy({ taskDefinition: once as never }, { ...options, envoyImage: 'example/envoy:new' });
    expect(plan.changed).toBe(false);
    expect(plan.notes.map((n) => n.message).join('\n')).toMatch(/existing envoy runs .*v1\.11\.2\.0-prod/);
  });

  it('does not modify its input', () => {
    const d = described();
    const copy = structuredClone(d);
    renderEnvoy(d, options);
    expect(d).toEqual(copy);
  });
});

describe('toDescribed', () => {
  it.each([
    [[], /expected a DescribeTaskDefinition JSON object, found a list/],
    [{ taskDefinition: { family: 'x' } }, /containerDefinitions is missing or empty/],
    [{ taskDefinition: { family: 'x', containerDefinitions: [] } }, /containerDefinitions is missing or empty/],
    [{ taskDefinition: { containerDefinitions: [{ name: 'a' }] } }, /family is missing/],
    [
      { taskDefinition: { family: 'my family!', containerDefinitions: [{ name: 'a' }] } },
      /td\.json: taskDefinition\.family "my family!" is not a family ECS takes \(1 to 255 letters, digits, - and _\)/,
    ],
    [{ taskDefinition: { family: 'f'.repeat(256), containerDefinitions: [{ name: 'a' }] } }, /family "f{256}" is not a family ECS takes/],
    [{ family: 'x\u001b[2J', containerDefinitions: [{ name: 'a' }] }, /^td\.json: family "x\\u001b\[2J" is not a family/],
    [{ taskDefinition: { family: 'x', containerDefinitions: [{ image: 'a' }] } }, /containerDefinitions\[0\]\.name is missing/],
    [
      { taskDefinition: { family: 'x', containerDefinitions: [{ name: 'a' }, { name: 'a' }] } },
      /containerDefinitions\[1\]\.name "a" is used by two containers/,
    ],
    [
      { taskDefinition: { family: 'x', containerDefinitions: [{ name: 'a' }] }, tags: {} },
      /td\.json: tags: must be a list, found an object/,
    ],
  ])('rejects %j', (value, message) => {
    expect(() => toDescribed(value, 'td.json')).toThrow(message);
  });

  it('accepts a bare task definition as well as the describe answer', () => {
    const bare = fixture('crystal-describe.json').taskDefinition;
    expect(toDescribed(bare, 'td.json').taskDefinition.family).toBe('appmesh-workshop-crystal-lb-vanilla');
  });
});

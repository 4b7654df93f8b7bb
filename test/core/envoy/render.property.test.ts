import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderEnvoy, type EnvoyOptions } from '../../../src/core/envoy/render.js';
import { READ_ONLY_TASK_DEFINITION_FIELDS, toDescribed } from '../../../src/core/task-definition.js';
import { describedTaskDefinition } from '../../support/arbitraries.js';

const options: EnvoyOptions = { mesh: 'm', virtualNode: 'n', envoyImage: 'example/envoy:v1.29.0.0-prod' };
const CHANGED_FIELDS = new Set(['containerDefinitions', 'proxyConfiguration', 'tags', ...READ_ONLY_TASK_DEFINITION_FIELDS]);

describe('renderEnvoy properties', () => {
  it('produces a RegisterTaskDefinition input: no read-only field, one envoy, the app waits for it', () => {
    fc.assert(
      fc.property(describedTaskDefinition, (d) => {
        const { input } = renderEnvoy(toDescribed(d, 'generated'), options);
        for (const f of READ_ONLY_TASK_DEFINITION_FIELDS) expect(input).not.toHaveProperty(f);
        const names = input.containerDefinitions!.map((c) => c.name);
        expect(names.filter((n) => n === 'envoy')).toHaveLength(1);
        expect(new Set(names).size).toBe(names.length);
        for (const c of input.containerDefinitions!) expect(typeof c.image).toBe('string');
        expect(input.containerDefinitions![0]!.dependsOn).toContainEqual({ containerName: 'envoy', condition: 'HEALTHY' });
        expect(input.proxyConfiguration?.type).toBe('APPMESH');
      }),
    );
  });

  it('keeps every input field except the documented ones', () => {
    fc.assert(
      fc.property(describedTaskDefinition, (d) => {
        const { input } = renderEnvoy(toDescribed(structuredClone(d), 'generated'), options);
        const out = input as unknown as Record<string, unknown>;
        for (const [k, v] of Object.entries(d.taskDefinition)) if (!CHANGED_FIELDS.has(k)) expect(out[k]).toEqual(v);
        d.taskDefinition.containerDefinitions.forEach((c, i) => {
          const rendered = input.containerDefinitions![i]! as Record<string, unknown>;
          const { dependsOn, ...rest } = rendered;
          const { dependsOn: before, ...original } = c as Record<string, unknown>;
          expect(rest).toEqual(original);
          if (i === 0) expect(dependsOn).toEqual([...((before as unknown[]) ?? []), { containerName: 'envoy', condition: 'HEALTHY' }]);
          else expect(dependsOn).toEqual(before);
        });
        expect(input.tags ?? []).toEqual(d.tags);
      }),
    );
  });

  it('adds nothing when rendered twice', () => {
    fc.assert(
      fc.property(describedTaskDefinition, (d) => {
        const once = renderEnvoy(toDescribed(d, 'generated'), options);
        const twice = renderEnvoy({ taskDefinition: once.input as never, tags: once.input.tags }, options);
        expect(twice.changed).toBe(false);
        expect(twice.input).toEqual(once.input);
      }),
    );
  });
});

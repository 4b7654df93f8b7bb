import { describe, expect, it } from 'vitest';
import { diffJson, formatChanges } from '../../src/core/json-diff.js';

describe('diffJson', () => {
  it('matches named array items by name, not position', () => {
    const a = { containerDefinitions: [{ name: 'app', image: 'a:1' }] };
    const b = {
      containerDefinitions: [
        { name: 'app', image: 'a:1', dependsOn: [{ containerName: 'envoy' }] },
        { name: 'envoy', image: 'e' },
      ],
    };
    expect(formatChanges(diffJson(a, b))).toEqual([
      '+ containerDefinitions[0].dependsOn: [{"containerName":"envoy"}]',
      '+ containerDefinitions[1]: {"name":"envoy","image":"e"}',
    ]);
  });

  it('reports changed and removed values', () => {
    expect(formatChanges(diffJson({ a: 1, b: [1, 2] }, { a: 2, b: [1] }))).toEqual(['~ a: 1 -> 2', '- b[1]: 2']);
  });

  it('finds nothing between equal values', () => {
    expect(diffJson({ x: [{ name: 'a', v: 1 }] }, { x: [{ name: 'a', v: 1 }] })).toEqual([]);
  });
});

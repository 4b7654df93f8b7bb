import { describe, expect, it } from 'vitest';
import { findNamespace, namespaceNameOf } from '../../src/core/namespace.js';

const NAMESPACES = [
  { id: 'ns-abc123', name: 'mesh.local' },
  { id: 'ns-def456', name: 'other.local' },
];
const ARN = (id: string) => `arn:aws:servicediscovery:us-west-2:123456789012:namespace/${id}`;

describe('one namespace lookup, for doctor and the migration planner', () => {
  it.each([
    ['a name', 'mesh.local', 'ns-abc123'],
    ['an id', 'ns-def456', 'ns-def456'],
    ['an ARN', ARN('ns-abc123'), 'ns-abc123'],
  ])('finds a namespace by %s', (_how, value, id) => {
    expect(findNamespace(value, NAMESPACES)?.id).toBe(id);
  });

  it.each([undefined, '', 'nosuch.local', ARN('ns-zzz'), 'ns-zzz'])('finds none for %j', (value) => {
    expect(findNamespace(value, NAMESPACES)).toBeUndefined();
  });

  it('names a known namespace by its name, and leaves an unknown ARN or id as given (never taken for a name)', () => {
    expect(namespaceNameOf(ARN('ns-def456'), NAMESPACES)).toBe('other.local');
    expect(namespaceNameOf(ARN('ns-zzz'), NAMESPACES)).toBe(ARN('ns-zzz'));
    expect(namespaceNameOf('ns-zzz', NAMESPACES)).toBe('ns-zzz');
    expect(namespaceNameOf(undefined, NAMESPACES)).toBeUndefined();
  });
});

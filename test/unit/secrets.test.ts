import { describe, expect, it } from 'vitest';
import { maskSecrets } from '../../src/core/secrets.js';

describe('maskSecrets', () => {
  it.each(['DB_PASSWORD', 'api_secret', 'GITHUB_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'STRIPE_KEY', 'Private_Cert', 'BASIC_AUTH'])(
    'masks the environment value of %s',
    (name) => {
      const masked = maskSecrets({ environment: [{ name, value: 'hunter2' }] });
      expect(masked.environment[0]).toEqual({ name, value: '***' });
    },
  );

  it('keeps ordinary values, including the envoy virtual node name', () => {
    const env = [
      { name: 'APPMESH_VIRTUAL_NODE_NAME', value: 'mesh/m/virtualNode/n' },
      { name: 'APP_ENV', value: 'prod' },
    ];
    expect(maskSecrets({ environment: env })).toEqual({ environment: env });
  });

  it('masks string values under secret-looking keys, deep inside', () => {
    expect(maskSecrets({ a: [{ dockerLabels: { 'x.token': 't', team: 'p' } }] })).toEqual({
      a: [{ dockerLabels: { 'x.token': '***', team: 'p' } }],
    });
  });

  it('does not change its input', () => {
    const input = { environment: [{ name: 'TOKEN', value: 'v' }] };
    maskSecrets(input);
    expect(input.environment[0]!.value).toBe('v');
  });
});

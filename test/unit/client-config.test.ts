import { describe, expect, it } from 'vitest';
import { clientOptions, DEFAULT_MAX_ATTEMPTS } from '../../src/aws/client-config.js';
import { createContext, type Deps } from '../../src/steps/context.js';
import type { AwsConfig } from '../../src/aws/client-config.js';

describe('clientOptions', () => {
  it('retries adaptively, 5 attempts unless told otherwise', () => {
    expect(DEFAULT_MAX_ATTEMPTS).toBe(5);
    expect(clientOptions({})).toEqual({ maxAttempts: 5, retryMode: 'adaptive' });
    expect(clientOptions({ region: 'eu-west-1', endpointUrl: 'http://127.0.0.1:5000', maxAttempts: 2 })).toEqual({
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:5000',
      maxAttempts: 2,
      retryMode: 'adaptive',
    });
  });
});

describe('AWS_MAX_ATTEMPTS', () => {
  const contextWith = (env: Record<string, string>) => {
    let seen: AwsConfig | undefined;
    const deps = {
      ui: { verboseEnabled: false },
      env,
      awsClients: (c: AwsConfig) => ((seen = c), {}),
      signal: new AbortController().signal,
    } as unknown as Deps;
    createContext({}, deps);
    return seen!;
  };

  it('is read as the SDKs read it', () => {
    expect(contextWith({ AWS_MAX_ATTEMPTS: '3' }).maxAttempts).toBe(3);
    expect(contextWith({}).maxAttempts).toBeUndefined();
  });

  it.each(['0', '21', 'x', '2.5'])('refuses %s (exit 2)', (value) => {
    expect(() => contextWith({ AWS_MAX_ATTEMPTS: value })).toThrow(/AWS_MAX_ATTEMPTS: .* is not a whole number from 1 to 20/);
  });
});

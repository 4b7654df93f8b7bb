import { describe, expect, it } from 'vitest';
import { clientOptions, DEFAULT_MAX_ATTEMPTS } from '../../src/aws/client-config.js';
import { createContext, type Deps, type GlobalFlags } from '../../src/runtime/context.js';
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

const contextWith = (env: Record<string, string>, flags: GlobalFlags = {}) => {
  let seen: AwsConfig | undefined;
  const deps = {
    ui: { verboseEnabled: false },
    env,
    awsClients: (c: AwsConfig) => ((seen = c), {}),
    signal: new AbortController().signal,
  } as unknown as Deps;
  createContext(flags, deps);
  return seen!;
};

describe('AWS_MAX_ATTEMPTS', () => {
  it('is read as the SDKs read it', () => {
    expect(contextWith({ AWS_MAX_ATTEMPTS: '3' }).maxAttempts).toBe(3);
    expect(contextWith({}).maxAttempts).toBeUndefined();
  });

  it.each(['0', '21', 'x', '2.5'])('refuses %s (exit 2)', (value) => {
    expect(() => contextWith({ AWS_MAX_ATTEMPTS: value })).toThrow(/AWS_MAX_ATTEMPTS: .* is not a whole number from 1 to 20/);
  });
});

describe('the AWS config a context hands the client factory', () => {
  it('--profile and AWS_PROFILE give the same profile, the flag winning', () => {
    expect(contextWith({ AWS_PROFILE: 'p' })).toMatchObject({ profile: 'p', profileFrom: 'AWS_PROFILE' });
    expect(contextWith({}, { profile: 'p' })).toMatchObject({ profile: 'p', profileFrom: '--profile' });
    expect(contextWith({ AWS_PROFILE: 'q' }, { profile: 'p' })).toMatchObject({ profile: 'p', profileFrom: '--profile' });
    expect(contextWith({}).profile).toBeUndefined();
  });

  it('only --endpoint-url is fixed here: the environment and the profile are resolved per service by the SDK chain', () => {
    expect(contextWith({ AWS_ENDPOINT_URL: 'http://127.0.0.1:1' }).endpointUrl).toBeUndefined();
    expect(contextWith({ AWS_ENDPOINT_URL: 'http://127.0.0.1:1' }, { endpointUrl: 'http://127.0.0.1:2' }).endpointUrl).toBe(
      'http://127.0.0.1:2',
    );
  });

  it.each<[Record<string, string>, GlobalFlags, string | undefined]>([
    [{ AWS_REGION: 'eu-west-1' }, {}, 'AWS_REGION'],
    [{ AWS_DEFAULT_REGION: 'eu-west-1' }, {}, 'AWS_DEFAULT_REGION'],
    [{ AWS_REGION: 'eu-west-1' }, { region: 'us-west-2' }, '--region'],
    [{}, {}, undefined],
  ])('says where the region came from: %o %o', (env, flags, from) => {
    expect(contextWith(env, flags).regionFrom).toBe(from);
  });

  it('checks AWS_ENDPOINT_URL unless --endpoint-url or AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true puts it aside', () => {
    const bad = { AWS_ENDPOINT_URL: 'http://127.0.0.1:99999' };
    expect(() => contextWith(bad)).toThrow(/AWS_ENDPOINT_URL: "http:\/\/127\.0\.0\.1:99999": port 99999 is out of range/);
    expect(() => contextWith({ ...bad, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' })).not.toThrow();
    expect(() => contextWith(bad, { endpointUrl: 'http://127.0.0.1:5000' })).not.toThrow();
    expect(() => contextWith({}, { endpointUrl: 'ftp://x' })).toThrow(/--endpoint-url: "ftp:\/\/x" is not an http\(s\) URL/);
  });
});

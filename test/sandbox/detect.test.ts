import { describe, expect, it } from 'vitest';
import { announceSandbox, sandboxNotice, sandboxOf, SANDBOX_SSM_NO_OUTPUT } from '../../src/sandbox/detect.js';

const URL_A = 'http://127.0.0.1:5000';

describe('sandboxOf: is this command talking to the sandbox?', () => {
  it.each([
    ['the exported environment', {}, { AWS_ENDPOINT_URL: URL_A, MESHCTL_SANDBOX: URL_A }, { endpoint: URL_A }],
    ['a trailing slash on either side', {}, { AWS_ENDPOINT_URL: `${URL_A}/`, MESHCTL_SANDBOX: URL_A }, { endpoint: `${URL_A}/` }],
    ['MESHCTL_SANDBOX=1 with AWS_ENDPOINT_URL', {}, { AWS_ENDPOINT_URL: URL_A, MESHCTL_SANDBOX: '1' }, { endpoint: URL_A }],
    [
      '--endpoint-url to another endpoint',
      { endpointUrl: 'http://127.0.0.1:6000' },
      { AWS_ENDPOINT_URL: URL_A, MESHCTL_SANDBOX: URL_A },
      undefined,
    ],
    ['--endpoint-url to the sandbox', { endpointUrl: URL_A }, { MESHCTL_SANDBOX: URL_A }, { endpoint: URL_A }],
    ['an endpoint without the variable', {}, { AWS_ENDPOINT_URL: URL_A }, undefined],
    ['the variable without an endpoint', {}, { MESHCTL_SANDBOX: URL_A }, undefined],
    ['AWS_PROFILE=meshctl-sandbox', {}, { AWS_PROFILE: 'meshctl-sandbox' }, { profile: 'meshctl-sandbox' }],
    ['--profile meshctl-sandbox', { profile: 'meshctl-sandbox' }, {}, { profile: 'meshctl-sandbox' }],
    ['another profile', { profile: 'prod' }, { AWS_PROFILE: 'meshctl-sandbox' }, undefined],
    [
      'the sandbox profile with another endpoint',
      { profile: 'meshctl-sandbox' },
      { AWS_ENDPOINT_URL: 'https://ecs.amazonaws.com' },
      undefined,
    ],
    ['nothing at all (AWS)', {}, {}, undefined],
  ])('%s', (_what, flags, env, expected) => {
    expect(sandboxOf(flags, env)).toEqual(expected);
  });
});

describe('announceSandbox', () => {
  const clients = () => {
    const calls: string[] = [];
    return { calls, ecs: async () => calls.push('ecs'), ssm: async () => calls.push('ssm') };
  };

  it('says the notice once, before the first client is used', async () => {
    const lines: string[] = [];
    const c = clients();
    const wrapped = announceSandbox(c, { endpoint: URL_A }, (l) => lines.push(`${l} (after ${c.calls.length} calls)`));
    expect(lines).toEqual([]);
    await wrapped.ecs();
    await wrapped.ssm();
    await wrapped.ecs();
    expect(lines).toEqual([`${sandboxNotice({ endpoint: URL_A })} (after 0 calls)`]);
    expect(c.calls).toEqual(['ecs', 'ssm', 'ecs']);
    expect(lines[0]).toBe(`sandbox: talking to the local meshctl sandbox (moto at ${URL_A}), not to AWS (after 0 calls)`);
  });

  it('leaves the clients as they are outside the sandbox', () => {
    const c = clients();
    expect(announceSandbox(c, undefined, () => expect.unreachable())).toBe(c);
  });

  it("gives verify a reason that blames moto's SSM, not the SSM agent", () => {
    expect(SANDBOX_SSM_NO_OUTPUT).toMatch(/^the check printed no output, which is the expected end in the sandbox: .*moto.*runs nothing/);
    expect(SANDBOX_SSM_NO_OUTPUT).not.toMatch(/agent/);
  });
});

import { describe, expect, it } from 'vitest';
import { redactAwsMessage, toAwsCallError } from '../../src/aws/aws-error.js';
import { maskSecrets, maskUrlPasswords, redactUrlUserinfo } from '../../src/core/secrets.js';
import { AwsCallError, UsageError } from '../../src/errors.js';

describe('maskSecrets', () => {
  it.each([
    'DB_PASSWORD',
    'api_secret',
    'GITHUB_TOKEN',
    'AWS_SECRET_ACCESS_KEY',
    'STRIPE_KEY',
    'Private_Cert',
    'BASIC_AUTH',
    'DB_PASS',
    'redis_pass',
    'MYSQL_PWD',
    'SmtpPwd',
  ])('masks the environment value of %s', (name) => {
    const masked = maskSecrets({ environment: [{ name, value: 'hunter2' }] });
    expect(masked.environment[0]).toEqual({ name, value: '***' });
  });

  it('keeps ordinary values, including the envoy virtual node name and names with PASS or PWD inside', () => {
    const env = [
      { name: 'APPMESH_VIRTUAL_NODE_NAME', value: 'mesh/m/virtualNode/n' },
      { name: 'APP_ENV', value: 'prod' },
      { name: 'PASSTHROUGH_MODE', value: 'on' },
      { name: 'PWD_DIR', value: '/app' },
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

  it('masks the password of a URL inside any value, keeping the rest of the URL', () => {
    const masked = maskSecrets({
      environment: [
        { name: 'DATABASE_URL', value: 'postgres://u:pw@db/x' },
        { name: 'PLAIN_URL', value: 'https://example.com/a?b=c' },
      ],
      command: ['sh', '-c', 'curl https://ci:s3cr3t@registry.example.com/v2/ && echo ok'],
    });
    expect(masked).toEqual({
      environment: [
        { name: 'DATABASE_URL', value: 'postgres://u:***@db/x' },
        { name: 'PLAIN_URL', value: 'https://example.com/a?b=c' },
      ],
      command: ['sh', '-c', 'curl https://ci:***@registry.example.com/v2/ && echo ok'],
    });
  });
});

describe('URLs with userinfo', () => {
  it.each([
    ['postgres://u:pw@db/x', 'postgres://u:***@db/x'],
    ['mysql://admin:p%40ss:word@db:3306', 'mysql://admin:***@db:3306'],
    ['amqp://u:@mq', 'amqp://u:***@mq'],
    ['two: redis://a:x@r1 and redis://b:y@r2', 'two: redis://a:***@r1 and redis://b:***@r2'],
    ['a user and no password: https://deploy@git.example.com/r', 'a user and no password: https://deploy@git.example.com/r'],
    ['an @ in the path is not userinfo: https://h:8080/a@b', 'an @ in the path is not userinfo: https://h:8080/a@b'],
    ['postgres://u:***@db/x', 'postgres://u:***@db/x'],
  ])('maskUrlPasswords(%j)', (input, expected) => {
    expect(maskUrlPasswords(input)).toBe(expected);
  });

  it.each([
    ['http://ci:s3cr3t@127.0.0.1:5000', 'http://***@127.0.0.1:5000'],
    ['at https://token@example.com/x.', 'at https://***@example.com/x.'],
    ['http://127.0.0.1:5000/path@x', 'http://127.0.0.1:5000/path@x'],
  ])('redactUrlUserinfo(%j)', (input, expected) => {
    expect(redactUrlUserinfo(input)).toBe(expected);
  });
});

describe('AWS error messages', () => {
  it('never name the userinfo of the endpoint they could not reach', () => {
    const err = toAwsCallError(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5000'), { code: 'ECONNREFUSED' }),
      'ListTasks',
      'http://ci:s3cr3t@127.0.0.1:5000',
    );
    expect(err).toBeInstanceOf(AwsCallError);
    expect(err.message).toBe('ListTasks: could not reach AWS at http://***@127.0.0.1:5000 (ECONNREFUSED)');
  });

  it('strip userinfo and control characters from what AWS or the SDK said', () => {
    const ESC = String.fromCharCode(0x1b);
    expect(redactAwsMessage(`bad request to http://ci:s3cr3t@h/ ${ESC}[2J`)).toBe('bad request to http://***@h/ \\u001b[2J');
  });

  it.each([
    [
      'a region the SDK refuses',
      Object.assign(new Error('Region not accepted: region="mars 1" is not a valid hostname component.')),
      /the AWS region is not valid/,
    ],
    [
      'an endpoint the SDK cannot parse',
      Object.assign(new TypeError('Invalid URL'), { code: 'ERR_INVALID_URL' }),
      /the AWS endpoint is not a valid URL/,
    ],
  ])('turn %s (from a profile, say) into bad input, exit 2', (_name, sdkError, message) => {
    const err = toAwsCallError(sdkError, 'ListTasks', 'http://127.0.0.1:99999');
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toMatch(message);
  });
});

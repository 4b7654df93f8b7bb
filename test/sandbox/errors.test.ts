import { describe, expect, it } from 'vitest';
import { toAwsCallError } from '../../src/aws/aws-error.js';
import { AwsCallError } from '../../src/errors.js';

/** What the SDK throws when stock moto 5.2.1's App Mesh answer carries "22/11/2026, 20:42:35". */
const unreadable = () =>
  Object.assign(
    new TypeError(
      'Expected real number, got implicit NaN\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.',
    ),
    { $metadata: { httpStatusCode: 200, attempts: 1 } },
  );

describe('an answer the SDK cannot read', () => {
  it.each([['http://127.0.0.1:5000'], ['http://localhost:4566'], ['http://[::1]:5000']])(
    'from an emulator on loopback (%s): exit 3, the operation, the known moto bug and meshctl sandbox',
    (endpoint) => {
      const err = toAwsCallError(unreadable(), 'DescribeVirtualNode', endpoint);
      expect(err).toBeInstanceOf(AwsCallError);
      expect((err as AwsCallError).exitCode).toBe(3);
      expect(err.message).toMatch(
        /^DescribeVirtualNode: the endpoint's answer could not be read \(Expected real number, got implicit NaN\); /,
      );
      expect(err.message).toMatch(/stock moto 5\.2\.1 writes App Mesh timestamps as "22\/11\/2026, 20:42:35".*\(a known moto bug\)/);
      expect(err.message).toMatch(/`meshctl sandbox up`/);
      expect(err.message).not.toMatch(/\$response|hidden field|Deserialization/);
    },
  );

  it('from elsewhere: says the answer could not be read, blames no emulator', () => {
    const err = toAwsCallError(unreadable(), 'DescribeVirtualNode', 'https://emulator.example.com');
    expect(err.message).toMatch(
      /^DescribeVirtualNode: the endpoint's answer could not be read \(Expected real number, got implicit NaN\); check that/,
    );
    expect(err.message).not.toMatch(/moto|\$response|hidden field/);
    expect((err as AwsCallError).errorName).toBe('UnreadableResponse');
  });

  it('an HTML 404 is still "the endpoint does not offer this operation"', () => {
    const html = Object.assign(
      new SyntaxError('Unexpected token < in JSON\n  Deserialization error: to see the raw response, inspect ...'),
      {
        $metadata: { httpStatusCode: 404 },
      },
    );
    expect((toAwsCallError(html, 'ListVirtualServices', 'http://127.0.0.1:5000') as AwsCallError).errorName).toBe('NotImplemented');
  });
});

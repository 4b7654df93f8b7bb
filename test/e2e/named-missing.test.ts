import { describe, expect, it } from 'vitest';
import { useMotoWorkshop } from '../support/moto-workshop.js';

/**
 * One rule in every command: what the user named that AWS does not have is exit 3, named as given,
 * never an empty success (issue 18 item 8). Against moto, with the workshop seeded.
 */
const env = useMotoWorkshop();

const ends = (text: string) => expect(text === '' || text.endsWith('\n'), JSON.stringify(text.slice(-80))).toBe(true);

describe('what you named is not there: exit 3, naming it', () => {
  it.each([
    [
      'migrate plan --service nosuch',
      ['migrate', 'plan', '--service', 'nosuch'],
      /service "nosuch" in cluster "appmesh-workshop" is MISSING/,
    ],
    [
      'migrate apply, two of three missing',
      ['migrate', 'apply', '--service', 'crystal-service-lb', '--service', 'nosuch', '--service', 'other', '--dry-run'],
      /services "nosuch", "other" in cluster "appmesh-workshop" are MISSING/,
    ],
    [
      'migrate status --service nosuch',
      ['migrate', 'status', '--service', 'nosuch'],
      /service "nosuch" in cluster "appmesh-workshop" is MISSING/,
    ],
    ['migrate abort --service nosuch', ['migrate', 'abort', '--service', 'nosuch', '--yes'], /service "nosuch" .* is MISSING/],
    ['mesh export --mesh nosuch', ['mesh', 'export', '--mesh', 'nosuch'], /--mesh: mesh "nosuch" does not exist/],
    [
      'rollout of several, one missing: none starts',
      ['rollout', '--service', 'crystal-service-lb', '--service', 'nosuch', '--skip-mesh-check'],
      /service "nosuch" in cluster "appmesh-workshop" is MISSING/,
    ],
  ])('%s', async (_name, args, message) => {
    const before = await env.revisions();
    const r = await env.cli([...args]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    ends(r.stderr);
    expect(await env.revisions()).toEqual(before);
  });

  it('--json says so as an aws-call error', async () => {
    const r = await env.cli(['migrate', 'plan', '--service', 'nosuch', '--json']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout).error).toMatchObject({ kind: 'aws-call', operation: 'DescribeServices', exitCode: 3 });
  });
});

describe('success says what it found', () => {
  it('a service by its ARN is the service', async () => {
    const arn = `arn:aws:ecs:us-west-2:123456789012:service/appmesh-workshop/crystal-service-lb`;
    const r = await env.cli(['migrate', 'plan', '--service', arn]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/left as they are: crystal-service-lb \(not-in-mesh\)\n$/);
  });

  it('no blue/green pair in the cluster is said, not an empty output', async () => {
    for (const args of [
      ['migrate', 'status', '--all-services'],
      ['migrate', 'finish', '--all-services', '--yes'],
    ]) {
      const r = await env.cli(args);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('no blue/green pairs in cluster appmesh-workshop: no service has a green beside it\n');
    }
  });
});

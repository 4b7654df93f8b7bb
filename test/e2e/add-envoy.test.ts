import { DescribeTaskDefinitionCommand, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describedTaskDefinition } from '../support/arbitraries.js';
import { motoEnv, runCli } from '../support/cli.js';
import { useMotoWorkshop } from '../support/moto-workshop.js';
import { FAMILY, sdkClients } from '../support/workshop.js';

const env = useMotoWorkshop();

async function revisions(): Promise<string[]> {
  const out = await sdkClients(env.moto.url).ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: FAMILY }));
  return out.taskDefinitionArns ?? [];
}

describe('meshctl add-envoy against moto', () => {
  it('registers a new revision with envoy, its dependsOn, the proxy configuration and the tags', async () => {
    const r = await runCli(['add-envoy', '--json'], { cwd: env.ws.dir, env: motoEnv(env.moto.url) });
    expect(r.stderr).toMatch(/warning: envoy image v1\.11\.2\.0-prod .*out of date.*--envoy-image/);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      action: 'registered',
      family: FAMILY,
      taskDefinitionArn: expect.stringMatching(new RegExp(`${FAMILY}:2$`)),
    });
    const td = await sdkClients(env.moto.url).ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: out.taskDefinitionArn, include: ['TAGS'] }),
    );
    const names = td.taskDefinition!.containerDefinitions!.map((c) => c.name);
    expect(names).toEqual(['crystal', 'envoy']);
    expect(td.taskDefinition!.containerDefinitions![0]!.dependsOn).toEqual([{ containerName: 'envoy', condition: 'HEALTHY' }]);
    expect(td.taskDefinition!.containerDefinitions![1]!.image).toBe(
      '840364872350.dkr.ecr.us-west-2.amazonaws.com/aws-appmesh-envoy:v1.11.2.0-prod',
    );
    expect(td.taskDefinition!.proxyConfiguration?.type).toBe('APPMESH');
    expect(td.tags).toEqual([{ key: 'workshop', value: 'appmesh' }]);
  });

  it('registers nothing on a re-run: the latest revision already has envoy', async () => {
    expect((await runCli(['add-envoy'], { cwd: env.ws.dir, env: motoEnv(env.moto.url) })).code).toBe(0);
    const again = await runCli(['add-envoy'], { cwd: env.ws.dir, env: motoEnv(env.moto.url) });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/unchanged: .*:2 already has envoy; nothing registered/);
    expect(await revisions()).toHaveLength(2);
  });

  it('fails before registering when the virtual node does not exist', async () => {
    const r = await runCli(['add-envoy', '--virtual-node', 'nope'], { cwd: env.ws.dir, env: motoEnv(env.moto.url) });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/virtual node "nope" does not exist in mesh "appmesh-workshop"; nothing was registered/);
    expect(await revisions()).toHaveLength(1);
  });

  it('writes the register input privately and refuses to overwrite it without --force', async () => {
    const out = join(env.ws.dir, 'out.json');
    const r = await runCli(['add-envoy', '--dry-run', '--write', out, '--diff'], { cwd: env.ws.dir, env: motoEnv(env.moto.url) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/dry run: would register/);
    expect(r.stdout).toMatch(/\+ containerDefinitions\[1\]: \{"environment"/);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(out, 'utf8')).proxyConfiguration.type).toBe('APPMESH');
    expect(await revisions()).toHaveLength(1);
    const again = await runCli(['add-envoy', '--dry-run', '--write', out], { cwd: env.ws.dir, env: motoEnv(env.moto.url) });
    expect(again.code, again.stderr).toBe(2);
    expect(again.stderr).toMatch(/already exists; pass --force/);
  });

  it('renders offline from a file with no AWS at all', async () => {
    const td = (await sdkClients(env.moto.url).ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: FAMILY, include: ['TAGS'] }),
    )) as object;
    const file = join(env.ws.dir, 'td.json');
    writeFileSync(file, JSON.stringify(td));
    const out = join(env.ws.dir, 'offline.json');
    // An endpoint that answers nothing: any AWS call would fail.
    const r = await runCli(['add-envoy', '--from-file', file, '--dry-run', '--write', out], {
      cwd: env.ws.dir,
      env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:9' },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).containerDefinitions.map((c: { name: string }) => c.name)).toEqual(['crystal', 'envoy']);
  });

  it('registers generated task definitions that moto accepts (a property-test sample)', async () => {
    const samples = fc.sample(describedTaskDefinition, { numRuns: 5, seed: 20261122 });
    for (const [i, d] of samples.entries()) {
      const file = join(env.ws.dir, `generated-${i}.json`);
      writeFileSync(file, JSON.stringify(d));
      const r = await runCli(
        ['add-envoy', '--from-file', file, '--skip-mesh-check', '--envoy-image', 'example/envoy:v1.29.0.0-prod', '--json'],
        { cwd: env.ws.dir, env: motoEnv(env.moto.url) },
      );
      expect(r.code, r.stderr).toBe(0);
      const arn = JSON.parse(r.stdout).taskDefinitionArn;
      const td = await sdkClients(env.moto.url).ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
      expect(td.taskDefinition!.containerDefinitions!.map((c) => c.name)).toEqual([
        ...d.taskDefinition.containerDefinitions.map((c) => c.name),
        'envoy',
      ]);
    }
  });

  it('masks secret-looking values in --json and --diff unless --show-secrets', async () => {
    const td = (await sdkClients(env.moto.url).ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: FAMILY, include: ['TAGS'] }),
    )) as { taskDefinition: { containerDefinitions: { environment?: unknown[] }[] } };
    td.taskDefinition.containerDefinitions[0]!.environment = [{ name: 'DB_PASSWORD', value: 'hunter2-do-not-print' }];
    const file = join(env.ws.dir, 'with-secret.json');
    writeFileSync(file, JSON.stringify(td));
    const args = ['add-envoy', '--from-file', file, '--dry-run', '--diff', '--json', '--verbose', '--app-ports', '3000,8080'];
    const masked = await runCli(args, { cwd: env.ws.dir, env: motoEnv(env.moto.url) });
    expect(masked.code, masked.stderr).toBe(0);
    expect(masked.stdout + masked.stderr).not.toContain('hunter2-do-not-print');
    expect(JSON.parse(masked.stdout).registerInput.containerDefinitions[0].environment).toEqual([{ name: 'DB_PASSWORD', value: '***' }]);
    const shown = await runCli([...args, '--show-secrets'], { cwd: env.ws.dir, env: motoEnv(env.moto.url) });
    expect(JSON.parse(shown.stdout).registerInput.containerDefinitions[0].environment).toEqual([
      { name: 'DB_PASSWORD', value: 'hunter2-do-not-print' },
    ]);
  });
});

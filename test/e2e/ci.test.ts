import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { motoEnv } from '../support/cli.js';
import { useMotoWorkshop } from '../support/moto-workshop.js';
import { projectRoot } from '../support/paths.js';
import { FAMILY, seedMoreServices } from '../support/workshop.js';

const env = useMotoWorkshop();

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshctl-ci-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What the runner sets for a step: GitHub Actions, and the step's summary file. */
const github = (summary: string) => ({ GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary });
const annotations = (text: string) => text.split('\n').filter((l) => l.startsWith('::'));
/** A wait that times out at once: nobody plays the ECS scheduler, so the new revision's tasks never come. */
const failingRollout = ['rollout', '--timeout', '2s', '--interval', '500ms'];

describe('meshctl in GitHub Actions', () => {
  it('a failed rollout: ::error names the step, the service and the resume command; the summary gets a table', async () => {
    const summary = join(dir, 'failed.md');
    writeFileSync(summary, '## an earlier step\n\n');
    const r = await env.cli([...failingRollout, '--json'], github(summary));
    expect(r.code, r.stderr).toBe(1);
    // stdout is still exactly one JSON object: the annotations are on stderr.
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ ok: false, failedStep: 'wait-running' });
    const resume = 'meshctl rollout --timeout 2s --interval 500ms --json --from wait-running';
    expect(out.resumeCommand).toBe(resume);
    const [error, ...more] = annotations(r.stderr);
    expect(more).toEqual([]);
    expect(error).toMatch(
      /^::error title=meshctl rollout failed at wait-running \(crystal-service-lb\)::wait-running failed: timed out after 2s /,
    );
    expect(error).toContain(`%0A%0Astep: wait-running%0Aservice: crystal-service-lb (cluster appmesh-workshop)%0Aresume with: ${resume}`);
    const md = readFileSync(summary, 'utf8');
    expect(
      md.startsWith(
        '## an earlier step\n\n### meshctl rollout: failed\n\n| service | step | outcome | detail |\n| --- | --- | --- | --- |\n',
      ),
    ).toBe(true);
    expect(md).toMatch(
      /\n\| crystal-service-lb \| add-envoy \| done \| [^\n]*\n\| crystal-service-lb \| update-service \| done \| [^\n]*\n\| crystal-service-lb \| wait-running \| failed \| timed out after 2s/,
    );
    expect(md).toContain(`- task definition: ${out.updateService.taskDefinitionArn}`);
    expect(md).toContain(`Resume with:\n\n\`\`\`sh\n${resume}\n\`\`\``);

    // The resume command, without --json: the annotation is on stderr again, stdout is the report alone; the file grows.
    const again = await env.cli(['rollout', '--timeout', '2s', '--interval', '500ms', '--from', 'wait-running'], github(summary));
    expect(again.code, again.stderr).toBe(1);
    expect(annotations(again.stderr)).toHaveLength(1);
    expect(again.stdout).not.toMatch(/::/);
    const twice = readFileSync(summary, 'utf8');
    expect(twice.startsWith(md)).toBe(true);
    expect(twice.slice(md.length)).toMatch(/^### meshctl rollout: failed\n[\s\S]*\| crystal-service-lb \| add-envoy \| skipped \|/);
  });

  it('a successful rollout of several services appends its table, with each task definition, and no annotation', async () => {
    await env.seeded('orders,payments', (url, ws) => seedMoreServices(url, ws, ['orders', 'payments']));
    // Not there yet: the file is created (private), as the runner would have.
    const summary = join(dir, 'success.md');
    const r = await env.withScheduler(() =>
      env.cli(['rollout', '--service', 'orders', '--service', 'payments', '--interval', '1s', '--timeout', '30s'], github(summary)),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(annotations(r.stderr + r.stdout)).toEqual([]);
    expect(statSync(summary).mode & 0o777).toBe(0o600);
    const md = readFileSync(summary, 'utf8');
    expect(md).toMatch(/^### meshctl rollout: succeeded\n/);
    for (const service of ['orders', 'payments']) {
      for (const step of ['add-envoy', 'update-service', 'wait-running'])
        expect(md).toMatch(new RegExp(`\\n\\| ${service} \\| ${step} \\| done \\| `));
      // Without --host there is nothing to curl: verify is skipped, and the table says so.
      expect(md).toMatch(new RegExp(`\\n\\| ${service} \\| verify \\| skipped \\| not checked: pass --host`));
      expect(md).toMatch(new RegExp(`\\n\\| ${service} \\| done \\| arn:aws:ecs:us-west-2:\\d+:task-definition/${service}-task:2 \\|`));
    }
    expect(md).toContain('- 2 rolled out, 0 already had envoy, 0 failed, 0 not started (of 2)');
  });

  it('outside GitHub Actions nothing of it appears, even with GITHUB_STEP_SUMMARY set', async () => {
    const summary = join(dir, 'not-actions.md');
    for (const value of [undefined, 'false']) {
      const r = await env.cli([...failingRollout, '--json'], { GITHUB_ACTIONS: value, GITHUB_STEP_SUMMARY: summary });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr + r.stdout).not.toMatch(/::error/);
      expect(existsSync(summary)).toBe(false);
    }
  });

  it('a summary path that is a FIFO is refused at once with a warning; the outcome stays the same', async () => {
    const fifo = join(dir, 'summary-fifo');
    execFileSync('mkfifo', [fifo]);
    const r = await env.cli(['rollout', '--cluster', 'no:such'], github(fifo));
    expect(r.code, r.stderr).toBe(2);
    expect(annotations(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/warning: GITHUB_STEP_SUMMARY: .*summary-fifo is a named pipe \(FIFO\)/);
  });
});

/** The action's `Run meshctl` step: its script and environment, as the runner would run it. */
function actionStep(): { run: string; env: Record<string, string> } {
  const action = parse(readFileSync(join(projectRoot(), 'action.yml'), 'utf8')) as {
    runs: { steps: { id?: string; run: string; env: Record<string, string> }[] };
  };
  return action.runs.steps.find((s) => s.id === 'meshctl')!;
}

/** GITHUB_OUTPUT's `name<<DELIMITER` … `DELIMITER` entries (the only syntax the action writes). */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([\w-]+)<<(.+)$/.exec(lines[i]!);
    if (!m) continue;
    const end = lines.indexOf(m[2]!, i + 1);
    outputs[m[1]!] = lines.slice(i + 1, end).join('\n');
    i = end;
  }
  return outputs;
}

/**
 * Runs the action's `Run meshctl` script with bash, in the workshop's folder, against moto: the runner's
 * variables faked (GITHUB_ACTION_PATH is this checkout, built by `npm run build`; the action's `Build
 * meshctl` step, `npm ci`, is not run here), the inputs in the environment as the step's `env` puts them.
 */
async function runActionStep(
  command: string,
  args: string,
): Promise<{ code: number | null; stdout: string; outputs: Record<string, string> }> {
  const step = actionStep();
  expect(step.env).toEqual({ MESHCTL_COMMAND: '${{ inputs.command }}', MESHCTL_ARGS: '${{ inputs.args }}' });
  const output = join(dir, `output-${Math.random().toString(16).slice(2)}`);
  writeFileSync(output, '');
  const childEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: env.ws.dir,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_EC2_METADATA_DISABLED: 'true',
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTION_PATH: projectRoot(),
    GITHUB_OUTPUT: output,
    MESHCTL_COMMAND: command,
    MESHCTL_ARGS: args,
    ...(motoEnv(env.moto.url) as Record<string, string>),
  };
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-e', '-o', 'pipefail', '-c', step.run], { cwd: env.ws.dir, env: childEnv });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, outputs: parseOutputs(readFileSync(output, 'utf8')) }));
  });
}

describe('action.yml, its run step against moto', () => {
  it('a success: ok, the task definition, no resume command', async () => {
    const r = await runActionStep('add-envoy', '');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ action: 'registered' });
    expect(r.outputs).toEqual({
      'task-definition-arn': expect.stringMatching(new RegExp(`:task-definition/${FAMILY}:2$`)),
      ok: 'true',
      'resume-command': '',
    });
  });

  it('a failure: the step fails with meshctl, ok false, the task definition and the resume command', async () => {
    const r = await runActionStep('rollout', '--timeout=2s\n\n--interval\n500ms\r\n');
    expect(r.code).toBe(1);
    expect(r.outputs).toEqual({
      ok: 'false',
      'task-definition-arn': expect.stringMatching(new RegExp(`:task-definition/${FAMILY}:2$`)),
      'resume-command': 'meshctl rollout --timeout=2s --interval 500ms --json --from wait-running',
    });
  });

  it('each line of args is one word for meshctl, never shell', async () => {
    const marker = join(dir, 'PWNED');
    const hostile = `--path=/x $(touch ${marker}) \`ls\``;
    const r = await runActionStep('rollout', `${hostile}\n`);
    expect(r.code).toBe(2);
    expect(existsSync(marker)).toBe(false);
    // The value arrived whole and as written: meshctl's message quotes it.
    expect(JSON.parse(r.stdout).error.message).toContain(`--path: "${hostile.slice('--path='.length)}"`);
    expect(r.outputs).toEqual({ ok: 'false', 'task-definition-arn': '', 'resume-command': '' });
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  codeBlock,
  escapeWorkflowData,
  escapeWorkflowProperty,
  failureAnnotations,
  markdownCell,
  markdownTable,
  MAX_ANNOTATIONS,
  stepSummary,
  workflowCommand,
} from '../../src/core/github-actions.js';
import { commandWordsOf } from '../../src/main.js';
import { createUi, type GithubActions } from '../../src/ui/output.js';
import { captureStream } from '../support/fake-deps.js';

/** How the runner reads a workflow command back (actions/runner ActionCommand.cs: TryParseV2 and its unescapes). */
function parseCommand(line: string): { name: string; properties: Record<string, string>; message: string } | undefined {
  const m = /^::([^ :]+)(?: ([^:]*))?::(.*)$/s.exec(line);
  if (!m) return undefined;
  const unData = (s: string) => s.replaceAll('%0D', '\r').replaceAll('%0A', '\n').replaceAll('%25', '%');
  const unProp = (s: string) =>
    s.replaceAll('%0D', '\r').replaceAll('%0A', '\n').replaceAll('%3A', ':').replaceAll('%2C', ',').replaceAll('%25', '%');
  const properties: Record<string, string> = {};
  for (const pair of (m[2] ?? '').split(',').filter(Boolean)) {
    const at = pair.indexOf('=');
    properties[pair.slice(0, at)] = unProp(pair.slice(at + 1));
  }
  return { name: m[1]!, properties, message: unData(m[3]!) };
}

/** A GFM row's cells: split on every `|` that no backslash escapes (cmark-gfm's table scanner). */
const cellsOf = (row: string): string[] =>
  row
    .replace(/^\| /, '')
    .replace(/ \|$/, '')
    .split(/(?<!(?:^|[^\\])(?:\\\\)*\\)\|/)
    .map((c) => c.trim());

/** Strings made mostly of what workflow commands treat specially, with any other character now and then. */
const hostile = fc.string({
  unit: fc.oneof(
    fc.constantFrom(':', ',', '%', '\r', '\n', '=', ' ', '0', 'A', 'D', '2', '5'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  ),
});

describe('workflow command escapes', () => {
  it.each([
    ['50% done', '50%25 done', '50%25 done'],
    ['a\nb\r\nc', 'a%0Ab%0D%0Ac', 'a%0Ab%0D%0Ac'],
    ['a: b, c', 'a: b, c', 'a%3A b%2C c'],
    ['%0A is not a newline', '%250A is not a newline', '%250A is not a newline'],
    ['::set-env name=X::y', '::set-env name=X::y', '%3A%3Aset-env name=X%3A%3Ay'],
  ])('%j: data %j, property %j', (text, data, property) => {
    expect(escapeWorkflowData(text)).toBe(data);
    expect(escapeWorkflowProperty(text)).toBe(property);
  });

  it('keeps any message and title on one line that the runner reads back exactly', () => {
    fc.assert(
      fc.property(hostile, hostile, (title, message) => {
        const line = workflowCommand('error', { title }, message);
        expect(line).not.toMatch(/[\r\n]/);
        expect(parseCommand(line)).toEqual({ name: 'error', properties: { title }, message });
      }),
    );
  });

  it('writes no property list when there is none', () => {
    expect(workflowCommand('error', {}, 'x')).toBe('::error::x');
  });
});

describe('Markdown', () => {
  it.each([
    ['a|b', 'a\\|b'],
    ['a\\|b', 'a\\\\\\|b'],
    ['one\ntwo\r\nthree', 'one<br>two<br>three'],
    ['<img src=x> & co', '&lt;img src=x&gt; &amp; co'],
  ])('cell %j is %j', (text, cell) => {
    expect(markdownCell(text)).toBe(cell);
  });

  it('a table keeps its columns and rows whatever the cells hold', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string(), { minLength: 3, maxLength: 3 }), { maxLength: 5 }), (rows) => {
        const lines = markdownTable(['a', 'b', 'c'], rows).split('\n');
        expect(lines).toHaveLength(rows.length + 2);
        for (const line of lines) expect(cellsOf(line)).toHaveLength(3);
      }),
    );
  });

  it('a code block is not closed by the backticks it holds', () => {
    expect(codeBlock('echo ```x````', 'sh')).toBe('`````sh\necho ```x````\n`````');
    expect(codeBlock('plain')).toBe('```\nplain\n```');
  });
});

const oneRollout = {
  ok: false,
  cluster: 'appmesh-workshop',
  service: 'crystal-service-lb',
  taskDefinitionArn: 'arn:aws:ecs:us-west-2:123456789012:task-definition/crystal:2',
  failedStep: 'wait-running',
  steps: [
    { step: 'add-envoy', status: 'done', detail: 'registered crystal:2' },
    { step: 'update-service', status: 'done', detail: 'deployment ecs-svc/1' },
    { step: 'wait-running', status: 'failed', detail: 'timed out after 2s with 0/3 RUNNING | of crystal:2' },
  ],
};
const resume = 'meshctl rollout --json --from wait-running';

describe('failureAnnotations', () => {
  it('names the step, the service and the command that resumes', () => {
    const [line, ...more] = failureAnnotations({
      command: 'rollout',
      ok: false,
      data: oneRollout,
      message: 'wait-running failed: timed out',
      resumeCommand: resume,
    });
    expect(more).toEqual([]);
    expect(parseCommand(line!)).toEqual({
      name: 'error',
      properties: { title: 'meshctl rollout failed at wait-running (crystal-service-lb)' },
      message: `wait-running failed: timed out\n\nstep: wait-running\nservice: crystal-service-lb (cluster appmesh-workshop)\nresume with: ${resume}`,
    });
  });

  it('one per service that did not finish, at most ten, the rest named in the last', () => {
    const services = Array.from({ length: 12 }, (_, i) => ({
      service: `svc${i}`,
      status: 'failed',
      failedStep: 'verify',
      error: `no envoy ${i}`,
    }));
    services.push({ service: 'fine', status: 'done', failedStep: '', error: '' });
    const lines = failureAnnotations({
      command: 'rollout',
      ok: false,
      data: { cluster: 'c', services },
      message: 'summary',
      resumeCommand: 'meshctl rollout --service svc0',
    });
    expect(lines).toHaveLength(MAX_ANNOTATIONS);
    expect(parseCommand(lines[0]!)).toMatchObject({
      properties: { title: 'meshctl rollout: svc0 failed at verify' },
      message: 'no envoy 0\n\nstep: verify\nservice: svc0 (cluster c)\nresume with: meshctl rollout --service svc0',
    });
    expect(parseCommand(lines[9]!)!.message).toMatch(/^3 more services did not finish: svc9, svc10, svc11\n/);
    expect(lines.join('\n')).not.toMatch(/fine/);
  });

  it('a message cannot start a workflow command of its own, and shows no URL password', () => {
    const message = 'bad value\n::add-mask::x\n::set-env name=A::b https://user:hunter2@example.com \u001b]0;t';
    const lines = failureAnnotations({ command: 'verify', ok: false, data: {}, message });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^::error title=meshctl verify failed::bad value%0A::add-mask/);
    expect(lines[0]).not.toMatch(/hunter2/);
    expect(lines[0]).not.toContain(String.fromCharCode(27));
  });
});

describe('stepSummary', () => {
  it('a failed rollout: its steps, the task definition, the error and the resume command', () => {
    const md = stepSummary({
      command: 'rollout',
      ok: false,
      data: oneRollout,
      message: 'wait-running failed: timed out',
      resumeCommand: resume,
    });
    expect(md).toBe(
      [
        '### meshctl rollout: failed',
        '',
        '| service | step | outcome | detail |',
        '| --- | --- | --- | --- |',
        '| crystal-service-lb | add-envoy | done | registered crystal:2 |',
        '| crystal-service-lb | update-service | done | deployment ecs-svc/1 |',
        '| crystal-service-lb | wait-running | failed | timed out after 2s with 0/3 RUNNING \\| of crystal:2 |',
        '',
        '- cluster: appmesh-workshop',
        '- task definition: arn:aws:ecs:us-west-2:123456789012:task-definition/crystal:2',
        '',
        'Error:',
        '',
        '```text\nwait-running failed: timed out\n```',
        '',
        'Resume with:',
        '',
        '```sh\nmeshctl rollout --json --from wait-running\n```',
        '',
        '',
      ].join('\n'),
    );
  });

  it('many services: every step of each, then each service with its task definition; no error on success', () => {
    const services = [
      {
        service: 'orders',
        status: 'done',
        taskDefinitionArn: 'arn:td/orders-task:2',
        steps: [{ step: 'add-envoy', status: 'done', detail: 'x' }],
      },
      { service: 'ghost', status: 'failed', error: 'service "ghost" not found' },
    ];
    const md = stepSummary({ command: 'rollout', ok: true, data: { ok: true, cluster: 'c', summary: '1 rolled out', services } });
    expect(md).toMatch(/^### meshctl rollout: succeeded\n/);
    expect(md).toContain('| orders | add-envoy | done | x |\n| ghost | — | failed | service "ghost" not found |');
    expect(md).toContain(
      '| service | outcome | task definition |\n| --- | --- | --- |\n| orders | done | arn:td/orders-task:2 |\n| ghost | failed | — |',
    );
    expect(md).toContain('- 1 rolled out');
    expect(md).not.toMatch(/Error:|Resume with/);
  });

  it('a command without steps: one row; a long detail is cut, a URL password never shown', () => {
    const md = stepSummary({ command: 'verify', ok: false, data: {}, message: `https://u:secretpw@h/ ${'x'.repeat(500)}` });
    const row = md.split('\n').find((l) => l.startsWith('| — | verify | failed |'))!;
    expect(row.length).toBeLessThan(360);
    expect(md).not.toMatch(/secretpw/);
  });
});

describe('Ui in GitHub Actions', () => {
  const make = (json: boolean, github?: GithubActions) => {
    const stdout = captureStream();
    const stderr = captureStream();
    const ui = createUi({ stderrIsTTY: false, ci: true, json, color: false, verbose: false }, { stdout, stderr }, undefined, github);
    return { ui, stdout, stderr };
  };
  const failure = {
    error: { exitCode: 1, kind: 'timeout' as const, message: 'wait-running failed: timed out', operation: null, hint: null, problems: [] },
    report: { data: oneRollout, lines: ['failed: wait-running'] },
    resumeCommand: resume,
  };

  it('with --json: the annotation on stderr, one JSON object on stdout, the summary appended', () => {
    const summaries: string[] = [];
    const t = make(true, { command: 'rollout', appendSummary: (md) => summaries.push(md) });
    t.ui.failure(failure);
    expect(JSON.parse(t.stdout.text())).toMatchObject({ ok: false, failedStep: 'wait-running' });
    expect(t.stderr.text()).toMatch(/^::error title=meshctl rollout failed at wait-running \(crystal-service-lb\)::/);
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatch(/\| crystal-service-lb \| wait-running \| failed \|/);
  });

  it('a success appends a summary and prints no annotation', () => {
    const summaries: string[] = [];
    const t = make(false, { command: 'add-envoy', appendSummary: (md) => summaries.push(md) });
    t.ui.result({ data: { action: 'registered', taskDefinitionArn: 'arn:td/crystal:2' }, lines: ['registered'] });
    expect(t.stdout.text()).toBe('registered\n');
    expect(t.stderr.text()).toBe('');
    expect(summaries[0]).toMatch(/^### meshctl add-envoy: succeeded\n[\s\S]*- task definition: arn:td\/crystal:2/);
  });

  it('a summary that cannot be written is a warning, not a failure', () => {
    const t = make(false, {
      command: 'rollout',
      appendSummary: () => {
        throw new Error('GITHUB_STEP_SUMMARY: /dev/null is a device, expected a regular file; nothing was written to it');
      },
    });
    expect(() => t.ui.failure(failure)).not.toThrow();
    expect(t.stderr.text()).toMatch(/\nwarning: GITHUB_STEP_SUMMARY: \/dev\/null is a device/);
  });

  it('outside GitHub Actions: no annotation', () => {
    const t = make(false);
    t.ui.failure(failure);
    expect(t.stderr.text() + t.stdout.text()).not.toMatch(/::error/);
  });
});

describe('commandWordsOf', () => {
  it.each([
    [['rollout', '--service', 'orders', '--json'], 'rollout'],
    [['--cluster', 'c', 'migrate', 'apply', '--strategy', 'blue-green'], 'migrate apply'],
    [['mesh', '--region', 'eu-west-1', 'plan', 'mesh.yaml'], 'mesh plan'],
    [['migrate', '--json'], 'migrate'],
    [['--json'], 'meshctl'],
  ])('%j is %j', (args, words) => {
    expect(commandWordsOf(args)).toBe(words);
  });
});

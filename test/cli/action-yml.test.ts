import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { projectRoot } from '../support/paths.js';

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
}
interface Action {
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: Step[] };
}

/** A script's text outside quotes, comments and arithmetic (`$((…))` expands to a number): where a bare `$VAR` would be split. */
function unquoted(script: string): string {
  const text = script.replace(/^\s*#.*$/gm, '').replace(/\$\(\([^)]*\)\)/g, '0');
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'") i = text.indexOf("'", i + 1);
    else if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else out += c;
    if (i < 0) throw new Error('unclosed quote');
  }
  return out;
}

const action = parse(readFileSync(join(projectRoot(), 'action.yml'), 'utf8')) as Action;

describe('action.yml', () => {
  it('is a composite action with the inputs and outputs the README lists', () => {
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs)).toEqual(['command', 'args', 'working-directory', 'node-version']);
    expect(Object.keys(action.outputs)).toEqual(['task-definition-arn', 'ok', 'resume-command']);
    for (const [name, output] of Object.entries(action.outputs)) expect(output.value).toBe(`\${{ steps.meshctl.outputs.${name} }}`);
    expect(action.runs.steps.filter((s) => s.id === 'meshctl')).toHaveLength(1);
  });

  it('puts no expression inside a script: inputs reach them as environment variables', () => {
    const scripts = action.runs.steps.filter((s) => s.run !== undefined);
    expect(scripts.length).toBeGreaterThanOrEqual(2);
    for (const step of scripts) {
      expect(step.run, step.name).not.toMatch(/\$\{\{/);
      expect(step.shell, step.name).toBe('bash');
    }
    const run = action.runs.steps.find((s) => s.id === 'meshctl')!;
    expect(run.env).toEqual({ MESHCTL_COMMAND: '${{ inputs.command }}', MESHCTL_ARGS: '${{ inputs.args }}' });
    // Every variable a script expands is quoted: no bare $VAR word for the shell to split or glob.
    for (const step of scripts) expect(unquoted(step.run!), step.name).not.toMatch(/\$[A-Za-z_{(]/);
  });

  it('pins every action it uses to a commit', () => {
    for (const step of action.runs.steps.filter((s) => s.uses)) expect(step.uses).toMatch(/^[\w-]+\/[\w-]+@[0-9a-f]{40}$/);
  });
});

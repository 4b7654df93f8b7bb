import { escapeControlsButNewlines } from './escape.js';
import { redactUrlUserinfo } from './secrets.js';

// GitHub Actions' workflow commands and step summary, built from a command's report as plain data.
// Workflow commands: https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions
// (the escapes are those of @actions/core's command.ts: the runner unescapes exactly these).

/** A command's message or data: `%`, CR and LF percent-encoded, so it stays one line and reads back as written. */
export function escapeWorkflowData(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

/** A property's value: as data, and `:` and `,` too (they end the value, or the properties). */
export function escapeWorkflowProperty(text: string): string {
  return escapeWorkflowData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}

/** `::name key=value,key=value::message`, every part escaped; one line whatever the values hold. */
export function workflowCommand(name: string, properties: Readonly<Record<string, string>>, message: string): string {
  const props = Object.entries(properties)
    .map(([k, v]) => `${k}=${escapeWorkflowProperty(v)}`)
    .join(',');
  return `::${name}${props ? ` ${props}` : ''}::${escapeWorkflowData(message)}`;
}

/**
 * Text for a Markdown table cell: `\` and `|` escaped (GFM splits cells on a `|` no backslash
 * escapes), `&`, `<`, `>` as entities (no HTML gets in), line breaks as `<br>`.
 */
export function markdownCell(text: string): string {
  return text
    .replaceAll('\\', '\\\\')
    .replaceAll('|', '\\|')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replace(/\r\n|\r|\n/g, '<br>');
}

/** A GFM table: a header row, the separator, one row per entry; every cell through markdownCell. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map(markdownCell).join(' | ')} |`;
  return [line(header), `| ${header.map(() => '---').join(' | ')} |`, ...rows.map(line)].join('\n');
}

/** A fenced code block that `text` cannot close: the fence is longer than any run of backticks in it. */
export function codeBlock(text: string, info = ''): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${text}\n${fence}`;
}

/** A command's outcome as main.ts knows it: the report's data, and on failure the message and what resumes. */
export interface CiOutcome {
  /** The command's words: `rollout`, `migrate apply`. */
  command: string;
  ok: boolean;
  /** The report's --json data (`{}` when the command made none). */
  data: Readonly<Record<string, unknown>>;
  /** The failure's message, as stderr shows it after `error: `. */
  message?: string;
  resumeCommand?: string;
}

/** GitHub shows at most 10 error annotations per step; the rest are named in the last one. */
export const MAX_ANNOTATIONS = 10;

/** The longest detail a summary cell shows: the full text is in the log and in --json. */
const MAX_DETAIL = 300;

/** The last defence the Ui applies to messages: no URL userinfo, no control character but line breaks. */
const tidy = (text: string): string => escapeControlsButNewlines(redactUrlUserinfo(text));

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const records = (value: unknown): Record<string, unknown>[] =>
  Array.isArray(value) ? value.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null) : [];
const shorten = (text: string): string => (text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL - 1)}…` : text);

interface FailedService {
  service: string;
  step?: string;
  error?: string;
}

/** The services of a many-service report (rollout's `services`, migrate apply's `results`) that did not finish. */
function failedServices(data: Readonly<Record<string, unknown>>): FailedService[] {
  const list = records(data.services).length ? records(data.services) : records(data.results);
  return list
    .filter((s) => str(s.status) === 'failed' || str(s.status) === 'not-started')
    .map((s) => ({
      service: str(s.service) ?? '?',
      step: str(s.failedStep) ?? (str(s.status) === 'not-started' ? 'not started' : undefined),
      error: str(s.error),
    }));
}

/**
 * The `::error` lines of a failure: one per service that did not finish (a many-service rollout,
 * migrate apply), else one for the command; each names the step, the service and the command that
 * resumes. Messages are tidied as the Ui tidies stderr, then escaped.
 */
export function failureAnnotations(outcome: CiOutcome): string[] {
  const { command, data } = outcome;
  const resume = str(outcome.resumeCommand) ?? str(data.resumeCommand);
  const cluster = str(data.cluster);
  const body = (message: string | undefined, step: string | undefined, service: string | undefined): string => {
    const facts = [
      ...(step ? [`step: ${step}`] : []),
      ...(service ? [`service: ${service}${cluster ? ` (cluster ${cluster})` : ''}`] : []),
      ...(resume ? [`resume with: ${resume}`] : []),
    ];
    return tidy([message ?? `meshctl ${command} failed`, ...(facts.length ? ['', ...facts] : [])].join('\n'));
  };
  const failed = failedServices(data);
  if (failed.length === 0) {
    const step = str(data.failedStep);
    const service = str(data.service);
    const title = `meshctl ${command} failed${step ? ` at ${step}` : ''}${service ? ` (${service})` : ''}`;
    return [workflowCommand('error', { title: tidy(title) }, body(outcome.message, step, service))];
  }
  const shown = failed.length > MAX_ANNOTATIONS ? failed.slice(0, MAX_ANNOTATIONS - 1) : failed;
  const lines = shown.map((f) =>
    workflowCommand(
      'error',
      { title: tidy(`meshctl ${command}: ${f.service} failed${f.step ? ` at ${f.step}` : ''}`) },
      body(f.error, f.step, f.service),
    ),
  );
  if (shown.length < failed.length) {
    const rest = failed.slice(shown.length).map((f) => f.service);
    const message = `${rest.length} more services did not finish: ${rest.join(', ')}`;
    lines.push(
      workflowCommand('error', { title: tidy(`meshctl ${command}: ${rest.length} more failed`) }, body(message, undefined, undefined)),
    );
  }
  return lines;
}

/**
 * The task definition the service was left on: the report's own, else (a rollout that failed after
 * update-service, whose report names none) the one update-service pointed the service at.
 */
export function taskDefinitionOf(data: Readonly<Record<string, unknown>>): string | undefined {
  const updated = data.updateService;
  const pointed = typeof updated === 'object' && updated !== null ? (updated as Record<string, unknown>).taskDefinitionArn : undefined;
  return str(data.taskDefinitionArn) ?? str(pointed);
}

/** One service's steps as table rows: `service | step | outcome | detail`. */
function stepRows(service: string, steps: readonly Record<string, unknown>[]): string[][] {
  return steps.map((s) => [service, str(s.step) ?? '?', str(s.status) ?? '?', shorten(tidy(str(s.detail) ?? ''))]);
}

/**
 * The Markdown a run appends to GITHUB_STEP_SUMMARY: a heading with the outcome, a table of services,
 * steps and outcomes (a many-service report: every service's steps, then each service's task
 * definition), the task definition, and on failure the message and the command that resumes.
 */
export function stepSummary(outcome: CiOutcome): string {
  const { command, data } = outcome;
  const service = str(data.service);
  const cluster = str(data.cluster);
  const parts: string[] = [`### meshctl ${command}: ${outcome.ok ? 'succeeded' : 'failed'}`];
  const header = ['service', 'step', 'outcome', 'detail'];
  const many = records(data.services).length ? records(data.services) : records(data.results);
  if (many.length) {
    const rows = many.flatMap((s) => {
      const name = str(s.service) ?? '?';
      const steps = records(s.steps);
      if (steps.length) return stepRows(name, steps);
      const wave = typeof s.wave === 'number' ? `wave ${s.wave}` : '—';
      return [[name, wave, str(s.status) ?? '?', shorten(tidy(str(s.error) ?? ''))]];
    });
    parts.push(markdownTable(header, rows));
    parts.push(
      markdownTable(
        ['service', 'outcome', 'task definition'],
        many.map((s) => [str(s.service) ?? '?', str(s.status) ?? '?', str(s.taskDefinitionArn) ?? '—']),
      ),
    );
  } else if (records(data.steps).length) {
    parts.push(markdownTable(header, stepRows(service ?? '—', records(data.steps))));
  } else {
    const detail = outcome.ok ? '' : shorten(tidy(outcome.message ?? ''));
    parts.push(markdownTable(header, [[service ?? '—', command, outcome.ok ? 'done' : 'failed', detail]]));
  }
  const facts = [
    ...(cluster ? [`cluster: ${cluster}`] : []),
    ...(str(data.summary) ? [str(data.summary)!] : []),
    ...(taskDefinitionOf(data) ? [`task definition: ${taskDefinitionOf(data)}`] : []),
  ];
  if (facts.length) parts.push(facts.map((f) => `- ${markdownCell(tidy(f))}`).join('\n'));
  if (!outcome.ok) {
    if (outcome.message) parts.push(`Error:\n\n${codeBlock(tidy(outcome.message), 'text')}`);
    const resume = str(outcome.resumeCommand) ?? str(data.resumeCommand);
    if (resume) parts.push(`Resume with:\n\n${codeBlock(tidy(resume), 'sh')}`);
  }
  return `${parts.join('\n\n')}\n\n`;
}

/**
 * The sandbox's ECS scheduler stand-in, as a process of its own: `meshctl sandbox up` starts it detached
 * (dist/sandbox-scheduler.js) and `sandbox down` stops it by PID. It logs to stderr (the sandbox's
 * scheduler.log) and ends on SIGTERM, or by itself once moto has not answered for a minute.
 *
 * Usage: node sandbox-scheduler.js --dir D --endpoint URL --cluster C --subnet S --security-group G
 *        [--task-delay-ms N] [--fail-new-tasks] [--ready-file F]
 * --ready-file: written once the first pass has learnt what runs, which `up` waits for: a deployment
 * started before then would be taken for the starting point and never played.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { actAsEcsSchedulerWhileRunning } from './scheduler.js';

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    endpoint: { type: 'string' },
    cluster: { type: 'string' },
    subnet: { type: 'string' },
    'security-group': { type: 'string' },
    'task-delay-ms': { type: 'string', default: '0' },
    'fail-new-tasks': { type: 'boolean', default: false },
    'ready-file': { type: 'string' },
  },
});
const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
const { endpoint, cluster, subnet, 'security-group': securityGroup } = values;
const taskDelayMs = Number(values['task-delay-ms']);
if (!endpoint || !cluster || !subnet || !securityGroup || !Number.isInteger(taskDelayMs) || taskDelayMs < 0) {
  log('usage: sandbox-scheduler --dir D --endpoint URL --cluster C --subnet S --security-group G [--task-delay-ms N] [--fail-new-tasks]');
  process.exitCode = 2;
} else {
  const failNewTasks = values['fail-new-tasks'] === true;
  log(
    `ECS scheduler stand-in for cluster ${cluster} at ${endpoint}: task delay ${taskDelayMs} ms${failNewTasks ? ', new tasks fail' : ''}`,
  );
  let lastError = '';
  const standIn = actAsEcsSchedulerWhileRunning(
    endpoint,
    { subnetId: subnet, securityGroupId: securityGroup },
    {
      cluster,
      taskDelayMs,
      failNewTasks,
      // Four passes a second after a change, backing off to one a second while nothing moves.
      intervalMs: 250,
      maxIntervalMs: 1000,
      onReady: () => {
        log('ready: the first pass has seen what runs');
        if (values['ready-file']) writeFileSync(values['ready-file'], String(process.pid), { mode: 0o600 });
      },
      onStop: (service, stopped, why) => log(`${service}: ${why}; stopped its ${stopped} running task${stopped === 1 ? '' : 's'}`),
      onDeploy: (service, taskDefinition, failed) =>
        log(
          `${service}: ${failed ? 'started and stopped (--fail-new-tasks)' : 'started'} the tasks of ${taskDefinition}${failed ? '' : ', stopped the older ones'}`,
        ),
      // A reset empties moto for a moment: say each different failure once, and go on.
      onError: (err) => {
        const text = `${(err as Error).name}: ${(err as Error).message}`;
        if (text !== lastError) log(`a pass failed (will retry): ${text}`);
        lastError = text;
      },
    },
  );
  let unanswered = 0;
  let stopping = false;
  const health = setInterval(() => {
    fetch(`${endpoint}/moto-api/`).then(
      () => (unanswered = 0),
      () => ++unanswered >= 12 && stop('moto has not answered for a minute'),
    );
  }, 5000);
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    clearInterval(health);
    log(`stopping: ${why}`);
    standIn.stop().then(
      () => log('stopped'),
      (err) => log(`stopped after an error: ${(err as Error).message}`),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

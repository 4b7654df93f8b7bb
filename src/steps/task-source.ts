import type { Task } from '@aws-sdk/client-ecs';
import type { EcsApi } from '../aws/ecs.js';

/** Where wait-running gets a service's tasks for one poll. */
export interface TaskSource {
  /** The service's tasks, including ones seen before that have since stopped. */
  tasksOf(service: string): Promise<Task[]>;
}

// ListTasks filters by service in AWS; the group check keeps other services' tasks out where it does
// not (moto ignores serviceName). Tasks that left the listing are described again: AWS stops listing a
// task once it stops, and a stop is what the wait must see.
const inService = (service: string) => (t: Task) => t.group === undefined || t.group === `service:${service}`;

/** One service: per poll, its ListTasks pages and DescribeTasks per 100. */
export function serviceTaskSource(ecs: EcsApi, cluster: string): TaskSource {
  const seen = new Set<string>();
  return {
    async tasksOf(service) {
      const arns = [...new Set([...(await ecs.listTasks(cluster, service)), ...seen])];
      const tasks = arns.length ? (await ecs.describeTasks(cluster, arns)).filter(inService(service)) : [];
      for (const t of tasks) if (t.taskArn) seen.add(t.taskArn);
      return tasks;
    },
  };
}

/**
 * Many services of one cluster: one ListTasks walk of the cluster and one DescribeTasks per 100 tasks
 * serve every waiting service for `maxAgeMs`, instead of a walk per service per poll.
 */
export function clusterTaskSource(ecs: EcsApi, cluster: string, now: () => number, maxAgeMs = 900): TaskSource {
  const seen = new Set<string>();
  let cached: { at: number; tasks: Promise<Task[]> } | undefined;
  const refresh = async (): Promise<Task[]> => {
    const arns = [...new Set([...(await ecs.listTasks(cluster)), ...seen])];
    const tasks = arns.length ? await ecs.describeTasks(cluster, arns) : [];
    for (const t of tasks) if (t.taskArn) seen.add(t.taskArn);
    return tasks;
  };
  return {
    async tasksOf(service) {
      if (!cached || now() - cached.at > maxAgeMs) {
        const tasks = refresh();
        cached = { at: now(), tasks };
        // A failed walk is not kept: the next poll tries again.
        tasks.catch(() => (cached = undefined));
      }
      return (await cached.tasks).filter(inService(service));
    },
  };
}

import {
  GetScheduleCommand,
  ListSchedulesCommand,
  SchedulerClient,
  UpdateScheduleCommand,
  type GetScheduleCommandOutput,
  type UpdateScheduleCommandInput,
} from '@aws-sdk/client-scheduler';
import { sender } from './aws-error.js';
import { allPages } from './pages.js';
import { type AwsConfig, connectClient } from './client-config.js';

/** A schedule as GetSchedule gave it. */
export type Schedule = Omit<GetScheduleCommandOutput, '$metadata'>;

/** One schedule of ListSchedules: its name, group and the ARN its target calls. */
export interface ScheduleSummary {
  name: string;
  group: string;
  targetArn?: string;
}

/** The EventBridge Scheduler calls meshctl makes, named after their operations. */
export interface SchedulerApi {
  /** ListSchedules of every group, following NextToken. */
  listSchedules(): Promise<ScheduleSummary[]>;
  getSchedule(name: string, group: string): Promise<Schedule>;
  /** UpdateSchedule, which replaces the whole schedule: pass what updateScheduleInput makes of GetSchedule's answer. */
  updateSchedule(input: UpdateScheduleCommandInput): Promise<void>;
}

export function createSchedulerApi(client: SchedulerClient, endpoint?: string): SchedulerApi {
  const send = sender(client, endpoint);
  return {
    listSchedules: () =>
      allPages(async (NextToken) => {
        const out = await send('ListSchedules', new ListSchedulesCommand({ NextToken }));
        const items = (out.Schedules ?? [])
          .filter((s) => !!s.Name)
          .map((s) => ({ name: s.Name!, group: s.GroupName ?? 'default', ...(s.Target?.Arn ? { targetArn: s.Target.Arn } : {}) }));
        return { items, nextToken: out.NextToken };
      }),
    async getSchedule(Name, GroupName) {
      const { $metadata: _m, ...schedule } = await send('GetSchedule', new GetScheduleCommand({ Name, GroupName }));
      return schedule;
    },
    async updateSchedule(input) {
      await send('UpdateSchedule', new UpdateScheduleCommand(input));
    },
  };
}

export function connectScheduler(config: AwsConfig): SchedulerApi {
  return createSchedulerApi(connectClient(SchedulerClient, 'scheduler', config), config.endpointUrl);
}

import type { Target } from '@aws-sdk/client-eventbridge';
import type { GetScheduleCommandOutput, UpdateScheduleCommandInput } from '@aws-sdk/client-scheduler';

// Pure: what changes in a rule target or a schedule when its task moves to another revision. Here and
// not in src/aws/, so that the command that uses them loads no SDK client until it calls AWS.

/** A rule's ECS target as it was, running `taskDefinitionArn` instead: every other field kept as given. */
export function retargetRuleTarget(target: Target, taskDefinitionArn: string): Target {
  return { ...target, EcsParameters: { ...target.EcsParameters, TaskDefinitionArn: taskDefinitionArn } };
}

/**
 * The UpdateSchedule input that keeps a schedule as GetSchedule gave it and changes only its ECS target's
 * task definition. UpdateSchedule replaces every field, so an omitted one would be reset:
 * https://docs.aws.amazon.com/scheduler/latest/APIReference/API_UpdateSchedule.html
 * (Arn, CreationDate and LastModificationDate are GetSchedule's own and not UpdateSchedule's input.)
 */
export function updateScheduleInput(
  schedule: Omit<GetScheduleCommandOutput, '$metadata'>,
  taskDefinitionArn: string,
): UpdateScheduleCommandInput {
  const { Arn: _arn, CreationDate: _created, LastModificationDate: _modified, Target, ...kept } = schedule;
  return {
    ...kept,
    Name: schedule.Name,
    ScheduleExpression: schedule.ScheduleExpression,
    FlexibleTimeWindow: schedule.FlexibleTimeWindow,
    Target: { ...Target!, EcsParameters: { ...Target!.EcsParameters, TaskDefinitionArn: taskDefinitionArn } },
  };
}

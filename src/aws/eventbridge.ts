import {
  EventBridgeClient,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutTargetsCommand,
  type Target,
} from '@aws-sdk/client-eventbridge';
import { AwsCallError } from '../errors.js';
import { sender } from './aws-error.js';
import { allPages } from './pages.js';
import { type AwsConfig, connectClient } from './client-config.js';

export type RuleTarget = Target;

/** The EventBridge calls meshctl makes, named after their operations. */
export interface EventBridgeApi {
  /** ListEventBuses, following NextToken: the default bus and every custom one. */
  listEventBuses(): Promise<string[]>;
  /** ListRules of one event bus, following NextToken. */
  listRules(eventBus: string): Promise<string[]>;
  /** ListTargetsByRule, following NextToken; each target as EventBridge gave it. */
  listTargetsByRule(rule: string, eventBus: string): Promise<RuleTarget[]>;
  /** PutTargets with one target, which replaces the rule's target of the same Id; a failed entry is an error. */
  putTarget(rule: string, eventBus: string, target: RuleTarget): Promise<void>;
}

export function createEventBridgeApi(client: EventBridgeClient, endpoint?: string): EventBridgeApi {
  const send = sender(client, endpoint);
  return {
    listEventBuses: () =>
      allPages(async (NextToken) => {
        const out = await send('ListEventBuses', new ListEventBusesCommand({ NextToken }));
        return { items: (out.EventBuses ?? []).map((b) => b.Name).filter((n): n is string => !!n), nextToken: out.NextToken };
      }),
    listRules: (EventBusName) =>
      allPages(async (NextToken) => {
        const out = await send('ListRules', new ListRulesCommand({ EventBusName, NextToken }));
        return { items: (out.Rules ?? []).map((r) => r.Name).filter((n): n is string => !!n), nextToken: out.NextToken };
      }),
    listTargetsByRule: (Rule, EventBusName) =>
      allPages(async (NextToken) => {
        const out = await send('ListTargetsByRule', new ListTargetsByRuleCommand({ Rule, EventBusName, NextToken }));
        return { items: out.Targets ?? [], nextToken: out.NextToken };
      }),
    async putTarget(Rule, EventBusName, target) {
      const out = await send('PutTargets', new PutTargetsCommand({ Rule, EventBusName, Targets: [target] }));
      // PutTargets answers 200 with the entries it refused: a refusal is said, never passed over.
      const failed = out.FailedEntries?.[0];
      if ((out.FailedEntryCount ?? 0) > 0 || failed)
        throw new AwsCallError(
          'PutTargets',
          failed?.ErrorCode ?? 'FailedEntry',
          undefined,
          `PutTargets: rule ${Rule} target ${target.Id ?? '?'} was refused: ${failed?.ErrorMessage ?? failed?.ErrorCode ?? 'no reason given'}`,
        );
    },
  };
}

export function connectEventBridge(config: AwsConfig): EventBridgeApi {
  return createEventBridgeApi(connectClient(EventBridgeClient, 'eventbridge', config), config.endpointUrl);
}

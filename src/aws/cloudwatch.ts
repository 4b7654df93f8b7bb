import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { MetricQuery, MetricSeries } from '../core/migrate/traffic-check.js';
import { AwsCallError } from '../errors.js';
import { sender } from './aws-error.js';
import { type AwsConfig, connectClient } from './client-config.js';

/** The CloudWatch calls meshctl makes, named after their operations. */
export interface CloudWatchApi {
  /**
   * GetMetricData for every query at once (one request per 500 queries, the API's limit), following
   * NextToken; each series comes back oldest point first, one point per period that had data.
   */
  getMetricData(queries: readonly MetricQuery[], range: { start: number; end: number; periodSeconds: number }): Promise<MetricSeries[]>;
}

/** GetMetricData takes at most 500 MetricDataQuery structures a request. */
export const METRIC_DATA_QUERIES_MAX = 500;

const toSdkQuery = (q: MetricQuery, periodSeconds: number): MetricDataQuery => ({
  Id: q.id,
  MetricStat: {
    Metric: {
      Namespace: q.namespace,
      MetricName: q.metricName,
      Dimensions: Object.entries(q.dimensions).map(([Name, Value]) => ({ Name, Value })),
    },
    Period: periodSeconds,
    Stat: q.stat,
  },
  ReturnData: true,
});

export function createCloudWatchApi(client: CloudWatchClient, endpoint?: string): CloudWatchApi {
  const send = sender(client, endpoint);
  return {
    async getMetricData(queries, range) {
      const points = new Map<string, { at: number; value: number }[]>(queries.map((q) => [q.id, []]));
      for (let i = 0; i < queries.length; i += METRIC_DATA_QUERIES_MAX) {
        const MetricDataQueries = queries.slice(i, i + METRIC_DATA_QUERIES_MAX).map((q) => toSdkQuery(q, range.periodSeconds));
        let NextToken: string | undefined;
        do {
          const page = await send(
            'GetMetricData',
            new GetMetricDataCommand({
              MetricDataQueries,
              StartTime: new Date(range.start),
              EndTime: new Date(range.end),
              ScanBy: 'TimestampAscending',
              NextToken,
            }),
          );
          for (const r of page.MetricDataResults ?? []) {
            // PartialData means "more on the next page"; Forbidden and InternalError mean this series has none to give.
            if (r.StatusCode === 'Forbidden' || r.StatusCode === 'InternalError') {
              const why = r.Messages?.map((m) => m.Value).join('; ');
              throw new AwsCallError(
                'GetMetricData',
                r.StatusCode,
                undefined,
                `GetMetricData: series ${r.Id} answered ${r.StatusCode}${why ? `: ${why}` : ''}`,
                r.StatusCode === 'Forbidden' ? 'the credentials in use need cloudwatch:GetMetricData' : undefined,
              );
            }
            const into = points.get(r.Id ?? '');
            if (!into) continue;
            const ts = r.Timestamps ?? [];
            ts.forEach((t, k) => into.push({ at: new Date(t).getTime(), value: r.Values?.[k] ?? 0 }));
          }
          NextToken = page.NextToken;
        } while (NextToken);
      }
      return [...points].map(([id, ps]) => ({ id, points: ps.sort((a, b) => a.at - b.at) }));
    },
  };
}

export function connectCloudWatch(config: AwsConfig): CloudWatchApi {
  return createCloudWatchApi(connectClient(CloudWatchClient, 'cloudwatch', config), config.endpointUrl);
}

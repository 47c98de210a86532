import { invalidRequest, requirePermission } from '@espresso/runtime';
import {
  describeZodError,
  type Identity,
  MetricsQuerySchema,
  type MetricsResponse,
} from '@espresso/schemas';
import type { MetricsTable } from '../adapters/metricsTable';
import { buildReport } from '../domain/report';

/**
 * A shop's metrics over a range of days, for its baristas and admins only: the role is checked
 * before the query, so a stranger learns nothing about the route from its 400s.
 */
export const readMetrics = async (
  table: MetricsTable,
  identity: Identity,
  shopId: string,
  rawQuery: Record<string, string | undefined>,
): Promise<MetricsResponse> => {
  requirePermission(identity, 'metrics.read', shopId);
  const parsed = MetricsQuerySchema.safeParse(rawQuery);
  if (!parsed.success) {
    const { field, message } = describeZodError(parsed.error);
    throw invalidRequest(field, message);
  }
  const { from, to } = parsed.data;
  return buildReport(shopId, from, to, await table.readDays(shopId, from, to));
};

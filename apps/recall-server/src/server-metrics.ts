import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of one server (own registry, so several servers can live in one process). */
export interface ServerMetrics {
  readonly registry: Registry;
  /** Records one finished request. */
  observeRequest(options: { method: string; route: string; statusCode: number; seconds: number }): void;
  /** Records one reload attempt. */
  observeReload(options: { ok: boolean }): void;
  /** Records accepted events by type. */
  observeEvents(options: { exposures: number; clicks: number }): void;
  /** Records, per item now in the index, the seconds from its event's arrival. */
  observeEventsApplied(options: { seconds: readonly number[] }): void;
}

/** Options of {@link createServerMetrics}. */
export interface CreateServerMetricsOptions {
  /** Current number of items in the index (undefined before the first load). */
  indexSize: () => number | undefined;
  /** Current number of users with a precomputed embedding. */
  userCount: () => number | undefined;
}

/**
 * `mmrecall_http_request_duration_seconds` (histogram by method, route pattern and status),
 * `mmrecall_http_requests_total`, `mmrecall_http_request_errors_total` (status >= 400, by route and
 * status), `mmrecall_index_items` and `mmrecall_users` gauges, `mmrecall_reloads_total` by outcome,
 * `mmrecall_events_total` by type and `mmrecall_event_to_index_seconds` (from an event's arrival to
 * its item's new embedding being in the index).
 */
export function createServerMetrics(options: CreateServerMetricsOptions): ServerMetrics {
  const registry = new Registry();
  const duration = new Histogram({
    name: 'mmrecall_http_request_duration_seconds',
    help: 'HTTP request latency by route pattern',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const requests = new Counter({
    name: 'mmrecall_http_requests_total',
    help: 'HTTP requests by route pattern and status',
    labelNames: ['method', 'route', 'status_code'],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'mmrecall_http_request_errors_total',
    help: 'HTTP responses with status >= 400 by route pattern and status',
    labelNames: ['method', 'route', 'status_code'],
    registers: [registry],
  });
  const reloads = new Counter({
    name: 'mmrecall_reloads_total',
    help: 'Artifact reloads by outcome',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const events = new Counter({
    name: 'mmrecall_events_total',
    help: 'Accepted exposure and click events by type',
    labelNames: ['type'],
    registers: [registry],
  });
  const eventToIndex = new Histogram({
    name: 'mmrecall_event_to_index_seconds',
    help: 'Seconds from an event arriving to its item being upserted with the recomputed gate and embedding',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  new Gauge({
    name: 'mmrecall_index_items',
    help: 'Items currently in the recall index',
    registers: [registry],
    collect() {
      const size = options.indexSize();
      if (size !== undefined) this.set(size);
    },
  });
  new Gauge({
    name: 'mmrecall_users',
    help: 'Users with a precomputed embedding in the loaded artifacts',
    registers: [registry],
    collect() {
      const count = options.userCount();
      if (count !== undefined) this.set(count);
    },
  });
  return {
    registry,
    observeRequest: ({ method, route, statusCode, seconds }) => {
      const labels = { method, route, status_code: String(statusCode) };
      duration.observe(labels, seconds);
      requests.inc(labels);
      if (statusCode >= 400) errors.inc(labels);
    },
    observeReload: ({ ok }) => reloads.inc({ outcome: ok ? 'success' : 'failure' }),
    observeEvents: ({ exposures, clicks }) => {
      if (exposures > 0) events.inc({ type: 'exposure' }, exposures);
      if (clicks > 0) events.inc({ type: 'click' }, clicks);
    },
    observeEventsApplied: ({ seconds }) => {
      for (const value of seconds) eventToIndex.observe(value);
    },
  };
}

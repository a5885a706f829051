import { Counter, type Registry } from 'prom-client';

/** The endpoint guard's counters, registered on the edge's one registry. */
export function createEndpointMetrics(registry: Registry) {
  return {
    messages: new Counter({
      name: 'campus_edge_endpoint_messages_total',
      help: 'Messages from PC agents by kind and result (ok, a refusal problem, duplicate, stale)',
      labelNames: ['kind', 'result'],
      registers: [registry],
    }),
    documents: new Counter({ name: 'campus_edge_endpoint_policy_documents_total', help: 'Signed USB policy documents issued to PCs', registers: [registry] }),
    silent: new Counter({ name: 'campus_edge_endpoint_silence_alarms_total', help: 'Silence alarms raised for PC agents', registers: [registry] }),
  };
}
export type EndpointMetrics = ReturnType<typeof createEndpointMetrics>;

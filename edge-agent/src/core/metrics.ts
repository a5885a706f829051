import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One registry per edge instance (tests start several in one process). Modules
 * add their own counters through `registry`.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'campus_edge_' });
  const m = {
    registry,
    eventsAppended: new Counter({ name: 'campus_edge_events_appended_total', help: 'Events appended to the event log', labelNames: ['type_prefix'], registers: [registry] }),
    mqttRefused: new Counter({ name: 'campus_edge_mqtt_refused_total', help: 'Refused MQTT connects, publishes and subscribes', labelNames: ['kind'], registers: [registry] }),
    mqttClients: new Gauge({ name: 'campus_edge_mqtt_clients_connected', help: 'Authenticated MQTT clients connected', registers: [registry] }),
    mqttMessagesIn: new Counter({ name: 'campus_edge_mqtt_messages_in_total', help: 'Messages accepted from MQTT clients', registers: [registry] }),
    httpRequests: new Counter({ name: 'campus_edge_http_requests_total', help: 'HTTP requests by status class', labelNames: ['status'], registers: [registry] }),
    busListenerErrors: new Gauge({ name: 'campus_edge_bus_listener_errors', help: 'Domain event listeners that threw', registers: [registry] }),
    moduleUp: new Gauge({ name: 'campus_edge_module_up', help: '1 when a module started', labelNames: ['module'], registers: [registry] }),
    storeEvents: new Gauge({ name: 'campus_edge_store_events', help: 'Events in the edge database', registers: [registry] }),
    storeBytes: new Gauge({ name: 'campus_edge_store_bytes', help: 'Size of the edge database file', registers: [registry] }),
    clockTrusted: new Gauge({ name: 'campus_edge_clock_trusted', help: '1 when the system clock is trusted', registers: [registry] }),
  };
  return m;
}
export type Metrics = ReturnType<typeof createMetrics>;

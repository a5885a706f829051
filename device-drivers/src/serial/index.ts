/**
 * Byte transports for field devices: a serial path and a TCP serial server, both
 * reconnecting by themselves, behind one `ByteTransport` interface.
 */
export type { ByteTransport, ByteTransportEvents, TransportStatus, ByteLink, ByteLinkHooks, TransportBaseOptions } from './transport.js';
export { ReconnectingByteTransport, TransportNotOpenError, waitForState } from './transport.js';
export { SerialPathTransport, SerialPathTransportOptionsSchema, type SerialPathTransportOptions } from './serialPathTransport.js';
export {
  TcpSerialServerTransport,
  TcpSerialServerTransportOptionsSchema,
  type TcpSerialServerTransportOptions,
} from './tcpSerialServerTransport.js';
export { SerialLineSchema, TcpEndpointSchema, BackoffSchema, DriverConfigError, parseOptions, type SerialLine, type TcpEndpoint } from './options.js';
export { LINK_STATES, toLinkError, type LinkState, type LinkStatus, type LinkErrorInfo } from './linkStatus.js';
export { ReconnectLoop, type Connection, type LinkHooks, type ReconnectLoopOptions } from './reconnectLoop.js';
export { reconnectDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
export { SafeEmitter, type ListenerErrorSink } from './safeEmitter.js';
export { silentLogger, type DriverLogger } from './logger.js';
export { linkMessages, linkStateMessageId, type LinkMessageId } from './messages.js';
export { createTransport, TransportConfigSchema, type TransportConfig } from './createTransport.js';

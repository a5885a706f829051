/**
 * QR readers: line framing, the reader driver (transport + framing + feedback), and a
 * simulator that plays a reader over a serial path or as a TCP serial server.
 */
export {
  FramingSchema,
  LINE_TERMINATORS,
  BAD_FRAME_REASONS,
  BAD_FRAME_REASON_CODES,
  type LineTerminator,
  type BadFrameReason,
  type FramingOptions,
  type Framing,
  type FramedLine,
  type BadFrame,
  type Frame,
  type FramerStats,
} from './framing.js';
export { LineFramer } from './lineFramer.js';
export {
  QrReader,
  QrReaderOptionsSchema,
  type QrReaderOptions,
  type QrScan,
  type QrBadFrame,
  type QrReaderStatus,
  type QrReaderEvents,
  type ReaderLinkStatus,
} from './reader.js';
export { createQrReader, QrReaderConfigSchema, type QrReaderConfig } from './createQrReader.js';
export {
  FeedbackSchema,
  HexBytesSchema,
  ReplyFilter,
  type FeedbackOptions,
  type Feedback,
  type FeedbackKind,
  type FeedbackResult,
} from './feedback.js';
export { readerMessages } from './messages.js';
export { QrReaderSimulator, QrReaderSimulatorOptionsSchema, type QrReaderSimulatorOptions } from './simulator.js';

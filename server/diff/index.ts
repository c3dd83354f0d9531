export { renderBlock, type RBlock, type RList, type RValue } from './rendered.ts';
export { updateBlock, encodeRoot, intersects } from './update.ts';
export { StaticsCollector, type WireNode, type WireValue } from './encode.ts';
export { Stream, APPEND, type StreamBatch } from './stream.ts';

/**
 * Node.js flags ingest is meant to run with (`npm start`, docker-compose and the benchmark use
 * them; set them in NODE_OPTIONS wherever else you run `denyscope ingest`).
 *
 * A bounded old space keeps RSS flat: ingest's live heap is about 65 MB, but by default V8 lets
 * old-space garbage (message objects promoted while a fetch is processed) grow to several times
 * that before a full collection. Measured on the 200k-event benchmark (Node 20): peak RSS
 * 280–300 MB without the limit, 220–235 MB with it, at about the same CPU per event.
 *
 * The young generation is capped at Node 20's size: Node 24's V8 lets each semi-space grow to
 * 32 MB or more, which raised peak RSS of the 1M-event benchmark from 292 to 385 MB at the same
 * CPU and throughput (8 MB: 283 MB but 5 % more CPU and 4 % less throughput; 2026-12-07, Node 24.22).
 */
export const INGEST_NODE_ARGS: readonly string[] = [
  '--max-old-space-size=256',
  '--max-semi-space-size=16',
];

/**
 * Node.js flags ingest is meant to run with (`npm start`, docker-compose and the benchmark use
 * them; set them in NODE_OPTIONS wherever else you run `denyscope ingest`).
 *
 * A bounded old space keeps RSS flat: ingest's live heap is about 65 MB, but by default V8 lets
 * old-space garbage (message objects promoted while a fetch is processed) grow to several times
 * that before a full collection. Measured on the 200k-event benchmark: peak RSS 280–300 MB
 * without the limit, 220–235 MB with it, at about the same CPU per event.
 */
export const INGEST_NODE_ARGS: readonly string[] = ['--max-old-space-size=256'];

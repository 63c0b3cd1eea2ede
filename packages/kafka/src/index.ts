export { createKafka, ensureDeadLetterTopic, waitForTopic } from './kafka-client.js';
export { kafkajsSecurity } from './security.js';

// One escaping helper per output medium; all take untrusted text and are tested with HOSTILE_CORPUS.
export { HOSTILE_CORPUS } from './hostile-corpus.js';
export { escapeHtml } from './html.js';
export { escapeMarkdown } from './markdown.js';
export { plainText, plainTextDeep } from './plain-text.js';
export { escapeSlack, slackCode, truncateSlack } from './slack.js';
export { escapeTerminal } from './terminal.js';
export { truncate } from './unsafe-chars.js';

// Entry point bundled by the worker: every workflow type the task queue runs.
export { conversation } from './conversation.js';
export { carrierKeyAudit, carrierKeyExpiryWatch } from './carrier-key-audit.js';
export { kbImport } from './kb-import.js';
export { ticket } from './ticket.js';

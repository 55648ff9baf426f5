// Entry point bundled by the worker: every workflow type the task queue runs.
export { conversation } from './conversation.js';

/**
 * Who this process is, for Temporal and for the records it writes (see README "Scaling out workers"):
 * the worker identity (`pid@host`, Temporal's own default form) and this process's own task queue,
 * on which it serves the sends of channels whose connection lives in it (Baileys WhatsApp).
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';

/** `pid@host`: the identity of this process's workers (in the workflow history) and `deliveredBy` of its sends. */
export function processIdentity(): string {
  return `${process.pid}@${os.hostname()}`;
}

const suffix = randomBytes(4).toString('hex');
/** This process's own task queue, `{taskQueue}@{host}:{pid}:{random}`: unique per process, fixed for its life. */
export function processTaskQueue(taskQueue: string): string {
  return `${taskQueue}@${os.hostname()}:${process.pid}:${suffix}`;
}

/**
 * The one place for Temporal settings: where the server is (local dev server, a self-hosted
 * cluster or Temporal Cloud), task queues, search attributes and the conversation's timers.
 * The values come from the configuration (infra/config, parsed once at start); the defaults match
 * the embedded local stack.
 */
import { defaultConfig, type ConversationSettings } from './infra/config/index.js';
import { searchAttributeKeys } from './workflows/search-attribute-keys.js';
import {
  carrierKeyAuditWorkflowType,
  carrierKeyExpiryWatchWorkflowType,
  conversationWorkflowType,
  kbImportWorkflowType,
  ticketWorkflowType,
} from './workflows/contract.js';

/** Workflow type names (workflows/contract.ts), for callers that may not import the contract's values (activities). */
export const workflowTypes = {
  conversation: conversationWorkflowType,
  carrierKeyAudit: carrierKeyAuditWorkflowType,
  carrierKeyExpiryWatch: carrierKeyExpiryWatchWorkflowType,
  kbImport: kbImportWorkflowType,
  ticket: ticketWorkflowType,
} as const;
import type { ConversationConfig } from './workflows/types.js';

/** Where Temporal is: the configuration's `temporal` (infra/config; TEMPORAL_* variables or a TOML profile). */
export type { TemporalTarget as TemporalConnectionSettings } from './infra/config/index.js';

export const taskQueues = {
  /** Conversation workflows and their activities: the default name (the configured one is `config.temporal.taskQueue`). */
  conversations: defaultConfig().temporal.taskQueue,
  /** FAQ workbook imports (`kbImport` + its activities), one activity at a time per worker: `config.kbImport.taskQueue`. */
  imports: defaultConfig().kbImport.taskQueue,
};

/** Custom search attributes (register them on the server; `npm start` does for the dev server). */
export const searchAttributes = searchAttributeKeys;

/** `--search-attribute Name=Type` flags for `temporal server start-dev`. */
export function devServerSearchAttributeFlags(): string[] {
  const cliType: Record<string, string> = { KEYWORD: 'Keyword', BOOL: 'Bool', DOUBLE: 'Double' };
  return Object.values(searchAttributes).flatMap((k) => ['--search-attribute', `${k.name}=${cliType[k.type]}`]);
}

/**
 * The conversation's timers and thresholds (SORA_SILENCE_NUDGE & co., parsed by infra/config). They
 * travel in the workflow's input (a workflow may not read the environment), so a running
 * conversation keeps the values it started with. Without settings: the defaults.
 */
export function conversationConfig(settings: ConversationSettings = defaultConfig().conversation): ConversationConfig {
  return { ...settings };
}

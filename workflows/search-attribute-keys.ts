/** Custom search attributes (DESIGN.md §3); re-exported by temporal.config.ts. Workflow-safe. */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const searchAttributeKeys = {
  shop: defineSearchAttributeKey('SoraShop', SearchAttributeType.KEYWORD),
  channel: defineSearchAttributeKey('SoraChannel', SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey('SoraStatus', SearchAttributeType.KEYWORD),
  intent: defineSearchAttributeKey('SoraIntent', SearchAttributeType.KEYWORD),
  language: defineSearchAttributeKey('SoraLanguage', SearchAttributeType.KEYWORD),
  escalated: defineSearchAttributeKey('SoraEscalated', SearchAttributeType.BOOL),
  orderValue: defineSearchAttributeKey('SoraOrderValue', SearchAttributeType.DOUBLE),
} as const;

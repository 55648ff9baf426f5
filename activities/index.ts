/**
 * All activities of the conversation workflow, grouped by capability. The worker builds them with
 * their dependencies; the workflow imports only the types.
 */
import type { ChannelRegistry } from '../bots/registry.js';
import { lookupBuyerFacts } from './commerce/buyer-facts.js';
import { makeNotifyOperators } from './conversations/notify-operators.js';
import { recordConversation, storeNpsAnswer } from './conversations/records.js';
import { makeSendToBuyer } from './messaging/send.js';
import { understand } from './understanding/understand.js';

export type { Understanding } from './understanding/understand.js';
export type { OutboundContent } from './messaging/compose.js';
export type { SystemMessageKind } from './catalog/system-messages.js';

export interface ActivityDeps {
  registry: ChannelRegistry;
  alertWebhookUrl?: string;
}

export function createActivities(deps: ActivityDeps) {
  return {
    understand,
    lookupBuyerFacts,
    sendToBuyer: makeSendToBuyer(deps.registry),
    recordConversation,
    storeNpsAnswer,
    notifyOperators: makeNotifyOperators(deps.alertWebhookUrl),
  };
}

export type Activities = ReturnType<typeof createActivities>;

/**
 * The channel contract, adapter side (see ../shared/DESIGN.md §3). Every adapter in bots/ turns
 * platform events into an InboundMessage and sends OutboundMessages back. The message types, the
 * workflow id and ChannelSendError live in infra/channel-contract.ts (workflows and activities
 * import them from there) and are re-exported here so adapters keep one import.
 */
import type { Express } from 'express';
import type { ChannelId, ConversationRef, OutboundMessage } from '../infra/channel-contract.js';
import type { ChannelStrategy } from '../workflows/contract.js';
import type { Intake } from './intake.js';

export {
  ChannelSendError,
  conversationWorkflowId,
  type Attachment,
  type ChannelId,
  type ConversationRef,
  type InboundMessage,
  type OutboundMessage,
} from '../infra/channel-contract.js';

/** What the gateway hands an adapter when it starts. */
export interface GatewayContext {
  /** The gateway's HTTP app: adapters add their routes here. */
  app: Express;
  /** Record an inbound message durably and signal its conversation (see bots/intake.ts). */
  intake: Intake;
  log: (msg: string, fields?: Record<string, unknown>) => void;
  /**
   * This process's own task queue, on which it serves the sends of its process-bound adapters
   * (`sendAffinity: 'process'`). Absent: this process serves no sends, so such an adapter must not
   * record itself as the holder of its sessions (models/channel-session.ts).
   */
  processQueue?: string;
}

export interface ChannelAdapter {
  id: ChannelId;
  /**
   * 'process': the adapter's connection lives in this process (a Baileys socket), so its sends must
   * run here: the process serves them on its own task queue and the adapter records which shops it
   * holds (models/channel-session.ts). Absent / 'any': any worker's adapter can send (HTTP APIs).
   */
  readonly sendAffinity?: 'any' | 'process';
  /**
   * True when the outbound message recorded in MongoDB is itself the delivery (web chat: the reply
   * stream reads the messages collection; send() only wakes this process's streams). The send
   * activity then records the message as sent in one write before calling send(), instead of
   * pending + sent (activities/messaging/send.ts).
   */
  readonly deliversFromRecord?: boolean;
  /**
   * The channel's say over its conversations' strategy, over the shop's (workflows/types.ts
   * ChannelStrategy): email turns the silence nudge off and closes idle conversations after hours.
   */
  readonly strategy?: ChannelStrategy;
  /** Per shop connection state, for adapters holding connections (WhatsApp); absent: up once started (GET /metrics). */
  connectionStates?(): Array<{ shopId: string; state: string; connected: boolean }>;
  start(ctx: GatewayContext): Promise<void>;
  send(to: ConversationRef, msg: OutboundMessage): Promise<{ externalId: string }>;
  stop(): Promise<void>;
}

/**
 * The channel registry: which adapters run, and `send` routed by ConversationRef.channel. Activities
 * reach adapters only through this, typed by the interface in infra/channel-contract.ts.
 */
import type { ChannelRegistry as ChannelRegistryContract } from '../infra/channel-contract.js';
import type { ChannelStrategy } from '../workflows/contract.js';
import type { ChannelAdapter, ChannelId, ConversationRef, OutboundMessage } from './channel.js';

export class UnknownChannelError extends Error {
  constructor(channel: string, known: string[]) {
    super(`no adapter for channel "${channel}" (enabled: ${known.join(', ') || 'none'}); check SORA_CHANNELS`);
    this.name = 'UnknownChannelError';
  }
}

export class ChannelRegistry implements ChannelRegistryContract {
  private readonly adapters = new Map<ChannelId, ChannelAdapter>();

  register(adapter: ChannelAdapter): this {
    if (this.adapters.has(adapter.id)) throw new Error(`channel "${adapter.id}" registered twice`);
    this.adapters.set(adapter.id, adapter);
    return this;
  }

  get(id: ChannelId): ChannelAdapter {
    const a = this.adapters.get(id);
    if (!a) throw new UnknownChannelError(id, [...this.adapters.keys()]);
    return a;
  }

  all(): ChannelAdapter[] {
    return [...this.adapters.values()];
  }

  /** Channels whose sends must run in this process (`sendAffinity: 'process'`, Baileys WhatsApp). */
  processBound(): ChannelId[] {
    return this.all()
      .filter((a) => a.sendAffinity === 'process')
      .map((a) => a.id);
  }

  /** Each channel's say over its conversations' strategy (ChannelAdapter.strategy), for ConversationConfig.channelStrategies. */
  channelStrategies(): Record<string, ChannelStrategy> {
    return Object.fromEntries(this.all().flatMap((a) => (a.strategy ? [[a.id, a.strategy]] : [])));
  }

  send(to: ConversationRef, msg: OutboundMessage): Promise<{ externalId: string }> {
    return this.get(to.channel).send(to, msg);
  }

  /** See ChannelAdapter.deliversFromRecord (web chat). */
  deliversFromRecord(channel: ChannelId): boolean {
    return this.adapters.get(channel)?.deliversFromRecord === true;
  }
}

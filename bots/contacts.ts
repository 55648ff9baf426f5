/** Where to reach a buyer on their channel: the replyTo an adapter attached to the buyer's latest message. */
import { BuyerModel } from '../models/buyer.js';
import type { ConversationRef } from './channel.js';
import { ChannelSendError } from './channel.js';

/** The stored replyTo of this buyer, or a non-retryable ChannelSendError when none was ever recorded. */
export async function replyAddress<T extends Record<string, unknown>>(to: ConversationRef): Promise<T> {
  const b = await BuyerModel.findOne({ shopId: to.shopId, channel: to.channel, buyerId: to.buyerId }, { replyTo: 1 }).lean();
  if (!b?.replyTo)
    throw new ChannelSendError(
      to.channel,
      'no_reply_address',
      `no reply address recorded for buyer ${to.buyerId} of shop ${to.shopId}`,
      false,
    );
  return b.replyTo as T;
}

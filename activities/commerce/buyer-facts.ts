/** Facts about the buyer's orders for routing and the order-value handoff rule. */
import { OrderModel } from '../../models/order.js';

export interface BuyerFactsInput {
  shopId: string;
  channel: string;
  buyerId: string;
  orderNumbers: string[];
}

export interface BuyerFacts {
  /** Highest order value (USD) among the orders mentioned or linked to this buyer; null = none. */
  orderValueUsd: number | null;
  ordersFound: string[];
}

export async function lookupBuyerFacts(input: BuyerFactsInput): Promise<BuyerFacts> {
  const or: object[] = [{ [`buyerIds.${input.channel}`]: input.buyerId }];
  if (input.orderNumbers.length > 0) or.push({ orderNumber: { $in: input.orderNumbers } });
  const orders = await OrderModel.find({ shopId: input.shopId, $or: or }, { orderNumber: 1, totalUsd: 1 }).lean();
  if (orders.length === 0) return { orderValueUsd: null, ordersFound: [] };
  return { orderValueUsd: Math.max(...orders.map((o) => o.totalUsd)), ordersFound: orders.map((o) => o.orderNumber) };
}

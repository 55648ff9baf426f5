/**
 * TikTok Shop as an order source, through the Partner API client the tiktok channel uses too (same
 * signing, tokens and refresh: infra/platforms/tiktok/partner-api.ts).
 *
 *   Get Order List    POST /order/202309/orders/search   query page_size (1–100), page_token,
 *                     sort_field, sort_order; JSON body filters (buyer_user_id, create_time_ge, …)
 *                     → data {orders[], next_page_token, total_count}
 *   Get Order Detail  GET  /order/202309/orders?ids=ID1,ID2 (≤ 50) → data {orders[]}
 *
 * A TikTok conversation knows the buyer by IM user id; orders carry the buyer's `user_id`. The
 * buyer's user_id is read once from the conversation's participants (Get Conversations, role
 * BUYER) and kept on the buyer record (`platformUserId`).
 */
import { PartnerApiClient } from '../../../infra/platforms/tiktok/partner-api.js';
import type { TiktokSettings } from '../../../infra/config/index.js';
import { BuyerModel } from '../../../models/buyer.js';
import { createTiktokTokenStore } from '../../../models/tiktok-token.js';
import type { SecretBox } from '../../../infra/secrets/index.js';
import { log as defaultLog } from '../../../infra/log.js';
import { fxRates } from './fx.js';
import type { BuyerRef, OrderSource } from './source.js';
import type { OrderRecord } from './store.js';
import { mapTiktokOrder, TiktokOrderShapeError, type TiktokOrder } from './tiktok-map.js';

export const ORDER_SEARCH_PATH = '/order/202309/orders/search';
export const ORDER_DETAIL_PATH = '/order/202309/orders';

export interface TiktokOrderSourceOptions {
  /** Our shop id → the TikTok shop ids it sells through. */
  shops: Record<string, string[]>;
  rates?: Record<string, number>;
  /** How far back "recent" orders go (default 90 days). */
  lookbackDays?: number;
  /** Conversation pages searched for the buyer's user_id (20 per page, default 5). */
  maxConversationPages?: number;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

type Log = (msg: string, fields?: Record<string, unknown>) => void;

export class TiktokOrderSource implements OrderSource {
  readonly id = 'tiktok' as const;
  private readonly rates: Record<string, number>;
  private readonly log: Log;

  constructor(
    readonly api: PartnerApiClient,
    private readonly o: TiktokOrderSourceOptions,
  ) {
    this.rates = o.rates ?? fxRates();
    this.log = o.log ?? defaultLog;
  }

  handles(shopId: string): boolean {
    return (this.o.shops[shopId]?.length ?? 0) > 0;
  }

  async recentOrdersForBuyer(shopId: string, buyer: BuyerRef): Promise<OrderRecord[] | null> {
    if (buyer.channel !== 'tiktok') return null;
    const b = await BuyerModel.findOne({ shopId, channel: 'tiktok', buyerId: buyer.buyerId }, { replyTo: 1, platformUserId: 1 }).lean();
    const replyTo = (b?.replyTo ?? {}) as { tiktokShopId?: string; conversationId?: string };
    const shops = this.o.shops[shopId] ?? [];
    const tiktokShopId = replyTo.tiktokShopId ?? (shops.length === 1 ? shops[0] : undefined);
    if (!tiktokShopId) return null;
    let userId = b?.platformUserId ?? null;
    if (!userId && replyTo.conversationId) {
      userId = await this.buyerUserId(tiktokShopId, replyTo.conversationId, buyer.buyerId);
      if (userId) await BuyerModel.updateOne({ shopId, channel: 'tiktok', buyerId: buyer.buyerId }, { $set: { platformUserId: userId } });
    }
    if (!userId) {
      this.log('tiktok orders: the buyer has no known user_id (not in the conversation participants); using stored orders', {
        shopId,
        buyerId: buyer.buyerId,
      });
      return null;
    }
    const since = Math.floor(Date.now() / 1000) - (this.o.lookbackDays ?? 90) * 86_400;
    const raw: TiktokOrder[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < 2; page++) {
      const data = await this.api.call<{ orders?: TiktokOrder[]; next_page_token?: string }>('POST', ORDER_SEARCH_PATH, {
        tiktokShopId,
        query: { page_size: 50, sort_field: 'create_time', sort_order: 'DESC', page_token: pageToken },
        body: { buyer_user_id: userId, create_time_ge: since },
      });
      raw.push(...(data?.orders ?? []));
      if (!data?.next_page_token || data.next_page_token === pageToken) break;
      pageToken = data.next_page_token;
    }
    return this.mapAll(
      raw.filter((o) => !o.user_id || o.user_id === userId),
      { tiktok: buyer.buyerId },
    );
  }

  async orderByNumber(shopId: string, orderNumber: string): Promise<OrderRecord | null> {
    if (!/^\d{6,32}$/.test(orderNumber)) return null; // TikTok order ids are numeric
    for (const tiktokShopId of this.o.shops[shopId] ?? []) {
      const data = await this.api.call<{ orders?: TiktokOrder[] }>('GET', ORDER_DETAIL_PATH, {
        tiktokShopId,
        query: { ids: orderNumber },
      });
      const found = this.mapAll(
        (data?.orders ?? []).filter((o) => o.id === orderNumber),
        {},
      );
      if (found[0]) return found[0];
    }
    return null;
  }

  private mapAll(raw: TiktokOrder[], buyerIds: Record<string, string>): OrderRecord[] {
    const out: OrderRecord[] = [];
    for (const o of raw) {
      try {
        out.push(mapTiktokOrder(o, this.rates, buyerIds));
      } catch (e) {
        if (!(e instanceof TiktokOrderShapeError)) throw e;
        this.log('tiktok order skipped', { error: e.message });
      }
    }
    return out;
  }

  /** The BUYER participant's user_id in this conversation (Get Conversations, a few pages). */
  private async buyerUserId(tiktokShopId: string, conversationId: string, imUserId: string): Promise<string | null> {
    let token: string | undefined;
    for (let i = 0; i < (this.o.maxConversationPages ?? 5); i++) {
      const page = await this.api.getConversations(tiktokShopId, { pageSize: 20, pageToken: token });
      const conv = page.items.find((c) => c.id === conversationId);
      if (conv) {
        const p = (conv.participants ?? []).find((x) => x.im_user_id === imUserId && (!x.role || x.role === 'BUYER'));
        return p?.user_id || null;
      }
      if (!page.nextPageToken || page.nextPageToken === token) return null;
      token = page.nextPageToken;
    }
    return null;
  }
}

/**
 * The TikTok order source for the TikTok Shop app's settings (config.tiktok: set when the channel is
 * enabled or SORA_TIKTOK_APP_KEY, SORA_TIKTOK_APP_SECRET and SORA_TIKTOK_SHOPS are all set), or null
 * without them or without a shop map. `secrets` opens the stored seller tokens.
 */
export function tiktokOrderSource(
  c: TiktokSettings | undefined,
  o: { timeoutMs?: number; rates?: Record<string, number>; log?: Log; secrets: SecretBox },
): TiktokOrderSource | null {
  if (!c || Object.keys(c.shops).length === 0) return null;
  const shops: Record<string, string[]> = {};
  for (const [tiktokShopId, shopId] of Object.entries(c.shops)) (shops[shopId] ??= []).push(tiktokShopId);
  const api = new PartnerApiClient({
    appKey: c.appKey,
    appSecret: c.appSecret,
    tokens: createTiktokTokenStore(o.secrets),
    apiUrl: c.apiUrl,
    authUrl: c.authUrl,
    cipherOverrides: c.ciphers,
    timeoutMs: o.timeoutMs,
    log: o.log,
  });
  return new TiktokOrderSource(api, { shops, rates: o.rates ?? fxRates(), log: o.log });
}

/**
 * Where the Partner API client keeps each seller's tokens. The client (./partner-api.ts) only sees
 * this interface; the MongoDB implementation is `createTiktokTokenStore(secrets)` in models/tiktok-token.ts, passed
 * in by whoever builds a client (the tiktok channel, the TikTok order source, tests).
 */

/** A seller's stored tokens and the TikTok shops the authorization covers. */
export interface StoredTiktokToken {
  openId: string;
  sellerName?: string | null;
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt?: Date | null;
  shops: { id: string; cipher?: string | null; name?: string | null; region?: string | null }[];
  refreshLeaseUntil?: Date | null;
}

/** What an authorization or a refresh writes. */
export interface TiktokTokenFields {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date | null;
}

export interface TiktokTokenStore {
  /** Upsert a seller who just authorized the app, with the shops the token covers; clears any refresh lease. */
  saveAuthorized(
    openId: string,
    t: TiktokTokenFields & { sellerName: string | null; shops: { id: string; cipher?: string; name?: string; region?: string }[] },
  ): Promise<void>;
  /** The token of the seller that owns this TikTok shop. */
  findByShop(tiktokShopId: string): Promise<StoredTiktokToken | null>;
  findBySeller(openId: string): Promise<StoredTiktokToken | null>;
  /**
   * Take the refresh lease until `until`, if the access token is still `staleAccessToken` and no
   * lease is held at `now`: one process at a time refreshes a seller. Null when not taken.
   */
  lease(openId: string, staleAccessToken: string, at: { now: Date; until: Date }): Promise<StoredTiktokToken | null>;
  /** Store refreshed tokens and release the lease; the updated record. */
  saveRefreshed(openId: string, t: TiktokTokenFields): Promise<StoredTiktokToken | null>;
  releaseLease(openId: string): Promise<void>;
}

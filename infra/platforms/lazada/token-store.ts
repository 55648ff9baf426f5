/**
 * Where the Lazada client keeps each seller's tokens. The client (./open-api.ts) only sees this
 * interface; the MongoDB implementation (tokens sealed at rest) is `createLazadaTokenStore(secrets)`
 * in models/lazada-token.ts.
 */

export interface StoredLazadaToken {
  /** Lazada seller_id (the account that authorized the app in one country). */
  sellerId: string;
  country: string | null;
  account?: string | null;
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date | null;
  refreshLeaseUntil?: Date | null;
}

export interface LazadaTokenFields {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date | null;
}

export interface LazadaTokenStore {
  /** Upsert a seller who just authorized the app; clears any refresh lease. */
  saveAuthorized(sellerId: string, t: LazadaTokenFields & { country: string | null; account: string | null }): Promise<void>;
  find(sellerId: string): Promise<StoredLazadaToken | null>;
  /** Take the refresh lease until `until` if the access token is still `staleAccessToken` and no lease is held at `now`. */
  lease(sellerId: string, staleAccessToken: string, at: { now: Date; until: Date }): Promise<StoredLazadaToken | null>;
  /** Store refreshed tokens and release the lease; the updated record. */
  saveRefreshed(sellerId: string, t: LazadaTokenFields): Promise<StoredLazadaToken | null>;
  releaseLease(sellerId: string): Promise<void>;
}

/**
 * Refreshing a platform's OAuth access token once across processes (TikTok Shop, Lazada): the
 * process that takes the token store's lease on the stale token refreshes it; the others wait
 * for the new token (polling the store every 200 ms) and give up after the lease time. A failed
 * refresh releases the lease, so the next caller tries again.
 */
export interface LeasedRefresh<T extends { accessToken: string }> {
  /** The access token the caller found stale (expiring, or refused by the platform). */
  staleAccessToken: string;
  leaseMs: number;
  /** The stored token now (null: none). */
  current(): Promise<T | null>;
  /** Take the lease on the stale token until `until`; the token when taken, else null. */
  lease(now: Date, until: Date): Promise<T | null>;
  release(): Promise<void>;
  /** Call the platform's refresh with the leased token and store the result. */
  refresh(leased: T): Promise<T>;
  noToken(): Error;
  /** Another process held the lease for longer than leaseMs. */
  busy(): Error;
}

export async function refreshUnderLease<T extends { accessToken: string }>(o: LeasedRefresh<T>): Promise<T> {
  const deadline = Date.now() + o.leaseMs;
  for (;;) {
    const current = await o.current();
    if (!current) throw o.noToken();
    if (current.accessToken !== o.staleAccessToken) return current; // refreshed meanwhile
    const now = new Date();
    const leased = await o.lease(now, new Date(now.getTime() + o.leaseMs));
    if (leased) {
      try {
        return await o.refresh(leased);
      } catch (e) {
        await o.release();
        throw e;
      }
    }
    if (Date.now() > deadline) throw o.busy();
    await new Promise((r) => setTimeout(r, 200));
  }
}

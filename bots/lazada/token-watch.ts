/**
 * Lazada authorization expiry alerts, like the carrier key alerts (activities/logistics/carrier-key-alerts.ts):
 * the access token is refreshed by the client on its own (infra/platforms/lazada/open-api.ts), but
 * the refresh token has an end (`refresh_expires_in`), after which the seller must authorize the
 * app again. Within `warnMs` of that end one `channel_token_expiring` alert goes out, at the end one
 * `channel_token_expired` — once per seller and expiry (the key is recorded on the token document,
 * so a second tick or a second process finds it and sends nothing; a new authorization has a new
 * expiry and so a new key).
 */
import { LazadaTokenModel } from '../../models/lazada-token.js';
import { alertOperators } from '../../models/operator-alerts.js';

type Log = (msg: string, fields?: Record<string, unknown>) => void;

export interface TokenWatchInput {
  now: Date;
  warnMs: number;
  shopFor: (sellerId: string) => string | undefined;
  alertWebhookUrl?: string;
  log: Log;
}

export function tokenAlertKey(kind: 'expiring' | 'expired', sellerId: string, expiresAt: Date): string {
  return `lazada_token_${kind}:${sellerId}:${expiresAt.toISOString()}`;
}

export async function watchTokens(i: TokenWatchInput): Promise<{ alerted: string[] }> {
  const alerted: string[] = [];
  const due = await LazadaTokenModel.find(
    { refreshTokenExpiresAt: { $ne: null, $lte: new Date(i.now.getTime() + i.warnMs) } },
    { sellerId: 1, refreshTokenExpiresAt: 1, alerts: 1, country: 1 },
  ).lean();
  const logger = {
    warn: (m: string, f: Record<string, unknown>) => i.log(m, f),
    error: (m: string, f: Record<string, unknown>) => i.log(m, f),
  };
  for (const t of due) {
    const shopId = i.shopFor(t.sellerId);
    const expiresAt = t.refreshTokenExpiresAt!;
    if (!shopId) continue;
    const kind = expiresAt.getTime() <= i.now.getTime() ? 'expired' : 'expiring';
    const key = tokenAlertKey(kind, t.sellerId, expiresAt);
    const field = kind === 'expiring' ? 'expiringKey' : 'expiredKey';
    if (t.alerts?.[field] === key) continue;
    // Claim the alert on the document first: one process sends it.
    const claimed = await LazadaTokenModel.updateOne(
      { _id: t._id, refreshTokenExpiresAt: expiresAt, [`alerts.${field}`]: { $ne: key } },
      { $set: { [`alerts.${field}`]: key } },
    );
    if (!claimed.modifiedCount) continue;
    const hours = Math.max(0, Math.round((expiresAt.getTime() - i.now.getTime()) / 3_600_000));
    const reason =
      kind === 'expiring'
        ? `seller ${t.sellerId}${t.country ? ` (${t.country.toUpperCase()})` : ''} must authorize the app again before ${expiresAt.toISOString()} (in ${hours} h)`
        : `seller ${t.sellerId}${t.country ? ` (${t.country.toUpperCase()})` : ''}: the authorization ended ${expiresAt.toISOString()}; chat and orders stop until the seller authorizes the app again`;
    await alertOperators(key, { shopId, channel: 'lazada', kind: `channel_token_${kind}`, reason }, i.alertWebhookUrl, logger);
    alerted.push(key);
  }
  return { alerted };
}

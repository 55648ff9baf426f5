import { model, Schema, type InferSchemaType } from 'mongoose';
import { sealedFields } from './sealed-fields.js';

/** The tracking clients a shop can hold its own credentials for (registry client ids). */
export const CREDENTIAL_CARRIERS = ['dhl', 'ups', 'fedex', 'usps', '17track'] as const;
export type CredentialCarrier = (typeof CREDENTIAL_CARRIERS)[number];

/** API-key carriers; the others (UPS, FedEx, USPS) use OAuth client id + secret. */
export const API_KEY_CARRIERS: readonly CredentialCarrier[] = ['dhl', '17track'];

/**
 * One shop's credentials for one carrier API, with an expiry. `apiKey`, `clientId` and
 * `clientSecret` are sealed at rest (CARRIER_SECRETS below, infra/secrets) and never leave through
 * toJSON, logs, the CLI or the operator API: read them only through activities/logistics/carrier-keys.ts.
 * `fingerprint` (8 hex of a SHA-256 of the plaintexts) identifies them in listings.
 *
 * `alerts` records which expiry alerts went out, keyed by `{kind}:{shopId}:{carrier}:{expiresAt}`, so
 * a retried activity or a second audit does not alert twice for the same expiry.
 */
const carrierCredentialSchema = new Schema(
  {
    shopId: { type: String, required: true },
    carrier: { type: String, enum: CREDENTIAL_CARRIERS, required: true },
    apiKey: { type: String, default: null },
    clientId: { type: String, default: null },
    clientSecret: { type: String, default: null },
    fingerprint: { type: String, default: null },
    /** Optional API host (sandbox, proxy); the client's production host otherwise. */
    baseUrl: { type: String, default: null },
    expiresAt: { type: Date, required: true },
    rotatedAt: { type: Date, default: null },
    alerts: {
      type: {
        _id: false,
        expiringKey: { type: String, default: null },
        expiringAt: { type: Date, default: null },
        expiredKey: { type: String, default: null },
        expiredAt: { type: Date, default: null },
      },
      default: () => ({}),
    },
  },
  {
    timestamps: true,
    toJSON: {
      transform: (_doc, ret: Record<string, unknown>) => {
        delete ret.apiKey;
        delete ret.clientSecret;
        return ret;
      },
    },
  },
);
carrierCredentialSchema.index({ shopId: 1, carrier: 1 }, { unique: true });
carrierCredentialSchema.index({ expiresAt: 1 });

/** The sealed fields (models/sealed-fields.ts). */
export const CARRIER_SECRETS = sealedFields('carriercredentials', ['apiKey', 'clientId', 'clientSecret'] as const);

export type CarrierCredential = InferSchemaType<typeof carrierCredentialSchema>;
export const CarrierCredentialModel = model('CarrierCredential', carrierCredentialSchema);

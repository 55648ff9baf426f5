import { model, Schema, type InferSchemaType } from 'mongoose';
import { sealedFields } from './sealed-fields.js';

/**
 * WhatsApp (Baileys) session state of one shop's linked device, so that a restarted or moved gateway
 * keeps its login: the credentials (`kind: 'creds'`) and the Signal keys (`kind` = key type:
 * 'pre-key', 'session', 'app-state-sync-key', …; `keyId` = the key's id). `value` is the JSON text
 * written with Baileys' BufferJSON replacer (Buffers as base64). See bots/whatsapp/auth-state.ts.
 *
 * Whoever can read these values can act as the shop's WhatsApp account: `value` is sealed at rest
 * (WHATSAPP_AUTH_SECRETS, infra/secrets); protect the database and the master key anyway.
 */
const whatsappAuthSchema = new Schema(
  {
    shopId: { type: String, required: true },
    kind: { type: String, required: true },
    keyId: { type: String, required: true },
    value: { type: String, required: true },
  },
  { timestamps: true },
);
whatsappAuthSchema.index({ shopId: 1, kind: 1, keyId: 1 }, { unique: true });

export type WhatsappAuth = InferSchemaType<typeof whatsappAuthSchema>;
export const WhatsappAuthModel = model('WhatsappAuth', whatsappAuthSchema, 'whatsapp_auth');

/** The sealed field (models/sealed-fields.ts). */
export const WHATSAPP_AUTH_SECRETS = sealedFields('whatsapp_auth', ['value'] as const);

import { model, Schema, type InferSchemaType } from 'mongoose';

/**
 * WhatsApp (Baileys) session state of one shop's linked device, so that a restarted or moved gateway
 * keeps its login: the credentials (`kind: 'creds'`) and the Signal keys (`kind` = key type:
 * 'pre-key', 'session', 'app-state-sync-key', …; `keyId` = the key's id). `value` is the JSON text
 * written with Baileys' BufferJSON replacer (Buffers as base64). See bots/whatsapp/auth-state.ts.
 *
 * Whoever can read these documents can act as the shop's WhatsApp account: protect the database.
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

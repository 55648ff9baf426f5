import { model, Schema, type InferSchemaType } from 'mongoose';

/**
 * One entry per buyer-data request (export or forget, activities/privacy/buyer-data.ts), kept as the
 * shop's proof that the request was carried out. It holds no personal data: no buyer id, no text;
 * the request id is returned to the operator, who files it with the buyer's request.
 */
const privacyAuditSchema = new Schema(
  {
    requestId: { type: String, required: true },
    shopId: { type: String, required: true },
    action: { type: String, enum: ['export', 'forget'], required: true },
    /** The channels the buyer id was looked up on. */
    channels: { type: [String], default: [] },
    /** Who asked: 'cli' or 'api'. */
    via: { type: String, enum: ['cli', 'api'], required: true },
    /** What was found (export) or removed / anonymised (forget), per kind of record. */
    counts: { type: Schema.Types.Mixed, default: {} },
    at: { type: Date, required: true },
  },
  { timestamps: false, collection: 'privacy_audit' },
);
privacyAuditSchema.index({ requestId: 1 }, { unique: true });
privacyAuditSchema.index({ shopId: 1, at: -1 });

export type PrivacyAudit = InferSchemaType<typeof privacyAuditSchema>;
export const PrivacyAuditModel = model('PrivacyAudit', privacyAuditSchema);

import { randomBytes } from 'node:crypto';
import { model, Schema, type InferSchemaType } from 'mongoose';

/**
 * A file a web chat buyer uploaded (POST /webchat/:shop/attachments): an image or a PDF, kept in
 * MongoDB (a few MB at most, SORA_WEBCHAT_ATTACHMENT_MAX). Only its buyer (session) and the shop's
 * desk agents may read it; the buyer's "forget" deletes it. `attachmentId` is random (128 bits),
 * so ids cannot be guessed, and reads also check the owner.
 */
const webchatAttachmentSchema = new Schema(
  {
    attachmentId: { type: String, required: true },
    shopId: { type: String, required: true },
    buyerId: { type: String, required: true },
    mime: { type: String, required: true },
    size: { type: Number, required: true },
    sha256: { type: String, required: true },
    data: { type: Buffer, required: true },
    /**
     * true from the upload until a message names it; an upload still pending after
     * SORA_WEBCHAT_ATTACHMENT_TTL is deleted (sweepUnsentAttachments). Absent: sent.
     */
    pending: { type: Boolean, default: undefined },
  },
  { timestamps: { createdAt: true, updatedAt: false }, collection: 'webchat_attachments' },
);
webchatAttachmentSchema.index({ attachmentId: 1 }, { unique: true });
webchatAttachmentSchema.index({ shopId: 1, buyerId: 1 });
webchatAttachmentSchema.index({ pending: 1, createdAt: 1 });

export type WebchatAttachment = InferSchemaType<typeof webchatAttachmentSchema>;
export const WebchatAttachmentModel = model('WebchatAttachment', webchatAttachmentSchema);

/** Delete uploads no message named, uploaded before `before`; returns how many. */
export async function sweepUnsentAttachments(before: Date): Promise<number> {
  return (await WebchatAttachmentModel.deleteMany({ pending: true, createdAt: { $lt: before } })).deletedCount;
}

export const newAttachmentId = (): string => `att_${randomBytes(16).toString('base64url')}`;

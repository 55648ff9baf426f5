/**
 * Web chat buyer attachments (images and PDFs).
 *
 *   POST /webchat/:shopId/attachments       Bearer; raw body, Content-Type image/jpeg|png|webp|gif or application/pdf
 *                                           → 201 {id, url, mimeType, size}; 415 wrong type (by magic bytes), 413 too large
 *   GET  /webchat/:shopId/attachments/:id   Bearer; the owning buyer only → the file (nosniff, private)
 *
 * A message then names uploads as `attachments: [{id}]` (messageAttachments below): only the
 * buyer's own uploads, at most MAX_PER_MESSAGE. The desk reads them through its own route. An
 * upload no message names is deleted after SORA_WEBCHAT_ATTACHMENT_TTL (the adapter's sweep).
 */
import { createHash } from 'node:crypto';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Attachment } from '../channel.js';
import { newAttachmentId, WebchatAttachmentModel } from '../../models/webchat-attachment.js';
import { HttpError } from '../http-errors.js';

export const ATTACHMENT_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'application/pdf'] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];
export const MAX_PER_MESSAGE = 4;

const ascii = (b: Buffer, at: number, s: string) => b.subarray(at, at + s.length).toString('latin1') === s;

/** The type the content really is (by its first bytes), or null. */
export function sniffType(b: Buffer): AttachmentType | null {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (ascii(b, 0, 'GIF87a') || ascii(b, 0, 'GIF89a')) return 'image/gif';
  if (b.length >= 12 && ascii(b, 0, 'RIFF') && ascii(b, 8, 'WEBP')) return 'image/webp';
  if (ascii(b, 0, '%PDF-')) return 'application/pdf';
  return null;
}

export const attachmentUrl = (shopId: string, id: string) => `/webchat/${encodeURIComponent(shopId)}/attachments/${encodeURIComponent(id)}`;

const human = (n: number) => (n >= 1024 * 1024 ? `${+(n / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`);

/** The raw request body, at most maxBytes (413 past it, naming the limit). */
export function rawBody(maxBytes: number): RequestHandler {
  const parse = express.raw({ type: () => true, limit: maxBytes });
  return (req: Request, res: Response, next: NextFunction) => {
    parse(req, res, (err?: unknown) => {
      const e = err as { type?: string } | undefined;
      if (e?.type === 'entity.too.large')
        return next(
          new HttpError(413, 'attachment_too_large', `the file is larger than ${human(maxBytes)} (the largest attachment allowed)`),
        );
      next(err);
    });
  };
}

/** Checks and stores an upload (the route's handler body). */
export async function storeUpload(shopId: string, buyerId: string, req: Request) {
  const declared = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!(ATTACHMENT_TYPES as readonly string[]).includes(declared))
    throw new HttpError(
      415,
      'unsupported_attachment_type',
      `Content-Type "${declared || '(none)'}" is not allowed; send the file itself as the body with one of: ${ATTACHMENT_TYPES.join(', ')}`,
    );
  const data = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  if (data.length === 0) throw new HttpError(400, 'empty_attachment', 'the body is empty; send the file itself as the request body');
  const actual = sniffType(data);
  if (actual !== declared)
    throw new HttpError(
      415,
      'attachment_type_mismatch',
      actual
        ? `the content is ${actual}, not the declared ${declared}; send it with Content-Type ${actual}`
        : `the content is not a ${declared} file (its first bytes do not match); only ${ATTACHMENT_TYPES.join(', ')} are allowed`,
    );
  const id = newAttachmentId();
  const sha256 = createHash('sha256').update(data).digest('hex');
  await WebchatAttachmentModel.create({ attachmentId: id, shopId, buyerId, mime: actual, size: data.length, sha256, data, pending: true });
  return { id, url: attachmentUrl(shopId, id), mimeType: actual, size: data.length };
}

/**
 * The message's attachments from `[{id}]`: each must be an upload of this buyer in this shop
 * (another buyer's or an unknown id → 400 naming it).
 */
export async function messageAttachments(shopId: string, buyerId: string, refs: { id: string }[]): Promise<Attachment[]> {
  if (refs.length === 0) return [];
  const ids = [...new Set(refs.map((r) => r.id))];
  const docs = await WebchatAttachmentModel.find({ attachmentId: { $in: ids }, shopId, buyerId }, { data: 0 }).lean();
  const byId = new Map(docs.map((d) => [d.attachmentId, d]));
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length)
    throw new HttpError(
      400,
      'unknown_attachment',
      `attachments: no upload ${missing.map((m) => `"${m}"`).join(', ')} of this buyer; upload the file first with POST /webchat/${shopId}/attachments`,
    );
  // Named by a message: kept (an upload never sent is swept after SORA_WEBCHAT_ATTACHMENT_TTL).
  await WebchatAttachmentModel.updateMany({ attachmentId: { $in: ids }, shopId, buyerId, pending: true }, { $unset: { pending: 1 } });
  return ids.map((id) => {
    const d = byId.get(id)!;
    return {
      type: d.mime.startsWith('image/') ? 'image' : 'document',
      url: attachmentUrl(shopId, id),
      mimeType: d.mime,
      sizeBytes: d.size,
    };
  });
}

/** Sends a stored attachment with safe headers (images inline, PDFs as a download). */
export function sendAttachment(res: Response, d: { attachmentId: string; mime: string; data: Buffer; size: number }): void {
  const image = d.mime.startsWith('image/');
  const ext =
    { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'image/gif': 'gif', 'application/pdf': 'pdf' }[d.mime] ?? 'bin';
  res.setHeader('Content-Type', d.mime);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Disposition', `${image ? 'inline' : 'attachment'}; filename="${d.attachmentId}.${ext}"`);
  res.setHeader('Cache-Control', 'private, max-age=3600');
  res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
  res.setHeader('Content-Length', String(d.size));
  res.end(d.data);
}

/** The owning buyer's attachment, or 404 (also for another buyer's: its existence is not revealed). */
export async function buyerAttachment(shopId: string, buyerId: string, id: string) {
  const d = await WebchatAttachmentModel.findOne({ attachmentId: id, shopId, buyerId });
  if (!d) throw new HttpError(404, 'unknown_attachment', `no attachment "${id}" of this buyer`);
  return d;
}

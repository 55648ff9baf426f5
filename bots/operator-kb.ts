/**
 * FAQ workbook import routes of the operator API (mounted by bots/operator.ts behind its auth).
 *
 *   POST   /shops/:shopId/kb               the workbook is the body → 202 {importId, …}; bad file → 4xx at once
 *   GET    /shops/:shopId/kb/imports/:id   status, progress (phrasings embedded / total), result or error
 *   DELETE /shops/:shopId/kb/imports/:id   cancel: the KB stays as it was
 *
 * The file is validated in the request (size, format, every row); the embedding runs as the
 * `kbImport` workflow on the imports task queue.
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { HttpError } from './http-errors.js';

/** The KB import services (implemented in scripts/operator-services.ts from activities/knowledge). */
export interface KbImportServices {
  /** Largest accepted upload in bytes (SORA_KB_MAX_UPLOAD). */
  kbMaxUploadBytes: number;
  /** Validate and stage the workbook, then start its import workflow. */
  startKbImport(
    shopId: string,
    fileName: string,
    data: Buffer,
  ): Promise<
    | { started: { importId: string; entries: number; phrasings: number; warnings: string[] } }
    | { invalid: { message: string; problems: unknown[] } }
    | { rejected: { status: number; code: string; message: string } }
  >;
  /** The import's status, or null when the shop has no such import. */
  kbImportStatus(shopId: string, importId: string): Promise<{ status: string } | null>;
  /** Cancel a running import; null when unknown; `finished` when it already ended. */
  cancelKbImport(shopId: string, importId: string): Promise<{ status: string; finished?: boolean } | null>;
}

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const UTF8 = new Set(['utf-8', 'utf8', 'us-ascii']);

/** The charset parameter of a Content-Type, lower-cased (undefined when absent). */
function charsetOf(type: string): string | undefined {
  const m = /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(type);
  return m ? m[1]!.toLowerCase() : undefined;
}

export function kbImportRoutes(services: KbImportServices): Router {
  const r = Router();
  const raw = express.raw({ type: () => true, limit: services.kbMaxUploadBytes });
  const mb = (services.kbMaxUploadBytes / 1024 ** 2).toFixed(1);
  // Body-parser's 413 (Content-Length or streamed size over the limit), named for the operator.
  const body = (req: Request, res: Response, next: NextFunction) =>
    raw(req, res, (err?: unknown) => {
      const e = err as { type?: string } | undefined;
      if (e?.type === 'entity.too.large')
        return next(new HttpError(413, 'workbook_too_large', `the workbook is larger than ${mb} MB (SORA_KB_MAX_UPLOAD)`));
      next(err);
    });

  r.post('/shops/:shopId/kb', body, async (req, res) => {
    const type = String(req.get('content-type') ?? '');
    const charset = charsetOf(type);
    if (charset !== undefined && !UTF8.has(charset))
      throw new HttpError(
        415,
        'unsupported_charset',
        `charset "${charset}" is not supported: send the workbook as UTF-8 (Content-Type: text/csv; charset=utf-8; in Excel "CSV UTF-8")`,
      );
    const name = String(req.query.filename ?? '').toLowerCase();
    const ext =
      type.includes('spreadsheetml') || name.endsWith('.xlsx') ? '.xlsx' : type.includes('csv') || name.endsWith('.csv') ? '.csv' : '';
    if (!ext) {
      throw new HttpError(
        415,
        'unsupported_media_type',
        `send the workbook as text/csv or ${XLSX_TYPE} (or add ?filename=faq.xlsx); got "${type || 'no content type'}"`,
      );
    }
    if (!Buffer.isBuffer(req.body) || req.body.length === 0)
      throw new HttpError(400, 'invalid_request', 'the request body (the workbook) is empty');
    const shopId = String(req.params.shopId);
    const out = await services.startKbImport(shopId, `upload${ext}`, req.body);
    if ('invalid' in out) {
      res.status(422).json({ error: 'invalid_workbook', message: out.invalid.message, problems: out.invalid.problems });
      return;
    }
    if ('rejected' in out) throw new HttpError(out.rejected.status, out.rejected.code, out.rejected.message);
    const { importId } = out.started;
    res
      .status(202)
      .location(`${req.baseUrl}/shops/${encodeURIComponent(shopId)}/kb/imports/${importId}`)
      .json({ ...out.started, status: 'queued', statusUrl: `${req.baseUrl}/shops/${encodeURIComponent(shopId)}/kb/imports/${importId}` });
  });

  const notFound = (req: Request) =>
    new HttpError(404, 'import_not_found', `shop ${String(req.params.shopId)} has no KB import ${String(req.params.id)}`);
  r.get('/shops/:shopId/kb/imports/:id', async (req, res) => {
    const s = await services.kbImportStatus(String(req.params.shopId), String(req.params.id));
    if (!s) throw notFound(req);
    res.json(s);
  });
  r.delete('/shops/:shopId/kb/imports/:id', async (req, res) => {
    const s = await services.cancelKbImport(String(req.params.shopId), String(req.params.id));
    if (!s) throw notFound(req);
    if (s.finished) throw new HttpError(409, 'import_finished', `the import can no longer be cancelled (status: ${s.status})`);
    res.status(202).json(s);
  });
  return r;
}

/**
 * What the chat widget (web/widget.js) needs to run on a store's page, which is another origin:
 *
 *   GET /webchat/widget.js     the script: JavaScript, cached 5 min by browsers and CDNs (then
 *                              revalidated by ETag), loadable cross-origin (CORP cross-origin)
 *   /webchat/*                 CORS for the API: any origin may call it, with no cookies
 *                              (Access-Control-Allow-Credentials is never sent). The buyer is
 *                              the Bearer session token, which a page only has if it created the
 *                              session, so letting every origin in exposes nothing; sessions and
 *                              messages stay rate limited per client address and per buyer.
 *
 * docs/channels/widget-and-shopify.md ("CORS and CSP").
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Express, NextFunction, Request, Response } from 'express';

const WIDGET_PATH = fileURLToPath(new URL('../../web/widget.js', import.meta.url));
export const WIDGET_CACHE_CONTROL = 'public, max-age=300, stale-while-revalidate=86400';

/** CORS for the web chat API: preflights answered here; simple and actual requests get the headers. */
export function webchatCors(req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Expose-Headers', 'Retry-After, WWW-Authenticate');
  if (req.method === 'OPTIONS') {
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, Last-Event-ID');
    res.setHeader('Access-Control-Max-Age', '86400');
    res.status(204).end();
    return;
  }
  next();
}

/** Mounts CORS on /webchat and the widget script; call before the API routes. */
export async function mountEmbed(app: Express): Promise<void> {
  const js = await readFile(WIDGET_PATH, 'utf8');
  const etag = `"${createHash('sha256').update(js).digest('base64url').slice(0, 27)}"`;
  app.use('/webchat', webchatCors);
  app.get('/webchat/widget.js', (req, res) => {
    res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
    res.setHeader('Cache-Control', WIDGET_CACHE_CONTROL);
    res.setHeader('ETag', etag);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    if (req.get('if-none-match') === etag) {
      res.status(304).end();
      return;
    }
    res.send(js);
  });
}

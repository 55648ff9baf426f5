/**
 * The desk's web pages: GET /desk → web/desk/index.html, GET /desk/<name>.js|.css → web/desk/*, and
 * the front-end libraries as static ES modules from node_modules (GET /desk/vendor/preact.mjs,
 * hooks.mjs, htm.mjs, uplot.mjs + uplot.css; the page's import map names them). No build step, no CDN. The
 * Content-Security-Policy allows scripts from this origin only: the one inline script, the import
 * map, is allowed by its SHA-256 hash.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Router } from 'express';

const WEB_DIR = fileURLToPath(new URL('../../web/desk/', import.meta.url));
const require = createRequire(import.meta.url);
/** The ES module builds, found next to each package's CommonJS entry point. */
const esm = (specifier: string, file: string) => path.join(path.dirname(require.resolve(specifier)), file);
const VENDOR: Record<string, string> = {
  'preact.mjs': esm('preact', 'preact.mjs'),
  'hooks.mjs': esm('preact/hooks', 'hooks.mjs'),
  'htm.mjs': esm('htm', 'htm.mjs'),
  // uPlot: the charts of the insights pages (canvas, one file, no dependencies).
  'uplot.mjs': path.join(path.dirname(require.resolve('uplot')), 'uPlot.esm.js'),
  'uplot.css': path.join(path.dirname(require.resolve('uplot')), 'uPlot.min.css'),
};
const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** The CSP of the desk page: `importMap` is the text of its inline import map. */
export function deskCsp(importMap: string): string {
  const hash = createHash('sha256').update(importMap, 'utf8').digest('base64');
  return [
    "default-src 'self'",
    `script-src 'self' 'sha256-${hash}'`,
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "media-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function deskPages(): Router {
  const r = Router();
  const html = readFileSync(path.join(WEB_DIR, 'index.html'), 'utf8');
  const importMap = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
  const csp = deskCsp(importMap);
  const files = new Map<string, { body: Buffer; type: string }>();
  for (const name of readdirSync(WEB_DIR))
    if (/^[a-z0-9-]+\.(js|css)$/.test(name))
      files.set(name, { body: readFileSync(path.join(WEB_DIR, name)), type: TYPES[path.extname(name)]! });
  for (const [name, file] of Object.entries(VENDOR))
    files.set(`vendor/${name}`, { body: readFileSync(file), type: TYPES[path.extname(name)]! });
  const common = (res: import('express').Response) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'same-origin');
  };
  r.get('/', (req, res, next) => {
    if (req.baseUrl !== '/desk') return next();
    common(res);
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html').send(html);
  });
  r.get(/^\/((?:vendor\/)?[a-z0-9-]+\.(?:js|mjs|css))$/, (req, res, next) => {
    const file = files.get((req.params as Record<string, string>)[0]!);
    if (!file) return next();
    common(res);
    res.setHeader('Cache-Control', 'no-cache');
    res.type(file.type).send(file.body);
  });
  return r;
}

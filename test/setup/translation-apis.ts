/**
 * Local stand-ins for the four translation APIs (docs/translation.md), each a real node:http server
 * on loopback speaking its API's documented request and response shape and checking its auth
 * headers. The "translation" is visible and deterministic: every letter outside the API's
 * do-not-translate markup is upper-cased and the text is prefixed with `[to] `, so a brand name
 * that was not protected comes back upper-cased. `queue` makes the next requests fail on purpose.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export interface Scripted {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Wait this long before answering (timeouts). */
  delayMs?: number;
}

export interface FakeApi {
  url: string;
  requests: Recorded[];
  /** The next requests get these answers, in order, before the normal behaviour resumes. */
  queue: Scripted[];
  close(): Promise<void>;
}

type Handle = (r: Recorded) => Scripted;

async function serve(handle: Handle): Promise<FakeApi> {
  const requests: Recorded[] = [];
  const queue: Scripted[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const raw = Buffer.concat(chunks).toString();
      let body: unknown = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        /* left as text: the handler answers 400 */
      }
      const rec: Recorded = { path: url.pathname, query: url.searchParams, headers: req.headers, body };
      requests.push(rec);
      const r = queue.shift() ?? handle(rec);
      const send = () => {
        if (res.destroyed) return;
        const text = r.body === undefined ? '' : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
        res.writeHead(r.status, { 'content-type': typeof r.body === 'string' ? 'text/plain' : 'application/json', ...r.headers });
        res.end(text);
      };
      if (r.delayMs) setTimeout(send, r.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    queue,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The fake translation of one text; `keep` matches the API's do-not-translate markup (markup mode). */
export function fakeTranslate(text: string, to: string, keep?: RegExp): string {
  if (!keep) return `[${to}] ${text.toUpperCase()}`;
  let out = '';
  let last = 0;
  for (const m of text.matchAll(keep)) {
    out += escape(unescape(text.slice(last, m.index)).toUpperCase()) + m[0];
    last = m.index + m[0].length;
  }
  return `[${to}] ${out}${escape(unescape(text.slice(last)).toUpperCase())}`;
}

const bad = (status: number, body: unknown): Scripted => ({ status, body });

/** DeepL: POST /v2/translate, `Authorization: DeepL-Auth-Key KEY`, 403 on a wrong key. */
export function startDeepl(key: string): Promise<FakeApi> {
  return serve((r) => {
    if (r.path !== '/v2/translate') return bad(404, { message: 'Not found' });
    if (r.headers.authorization !== `DeepL-Auth-Key ${key}`) return bad(403, { message: 'Wrong endpoint' });
    const b = r.body as { text?: unknown; target_lang?: unknown; source_lang?: string; tag_handling?: string; ignore_tags?: string[] };
    if (!Array.isArray(b?.text) || typeof b.target_lang !== 'string')
      return bad(400, { message: "Value for 'target_lang' not supported." });
    const keep = b.tag_handling === 'xml' && b.ignore_tags?.includes('x') ? /<x>[\s\S]*?<\/x>/g : undefined;
    return {
      status: 200,
      body: {
        translations: (b.text as string[]).map((t) => ({
          detected_source_language: b.source_lang ?? 'EN',
          text: fakeTranslate(t, b.target_lang as string, keep),
          billed_characters: t.length,
        })),
      },
    };
  });
}

/** Google v3: POST /v3/projects/{p}/locations/{l}:translateText, Bearer token or x-goog-api-key. */
export function startGoogle(o: { project: string; token?: string; apiKey?: string }): Promise<FakeApi> {
  return serve((r) => {
    if (r.path !== `/v3/projects/${o.project}/locations/global:translateText`)
      return bad(404, { error: { code: 404, message: 'Requested entity was not found.', status: 'NOT_FOUND' } });
    const authed = (o.token && r.headers.authorization === `Bearer ${o.token}`) || (o.apiKey && r.headers['x-goog-api-key'] === o.apiKey);
    if (!authed)
      return bad(401, {
        error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' },
      });
    const b = r.body as { contents?: unknown; targetLanguageCode?: unknown; sourceLanguageCode?: string; mimeType?: string };
    if (!Array.isArray(b?.contents) || typeof b.targetLanguageCode !== 'string')
      return bad(400, { error: { code: 400, message: 'Target language is invalid.', status: 'INVALID_ARGUMENT' } });
    const keep = b.mimeType === 'text/html' ? /<span translate="no">[\s\S]*?<\/span>/g : undefined;
    return {
      status: 200,
      body: {
        translations: (b.contents as string[]).map((t) => ({
          translatedText: fakeTranslate(t, b.targetLanguageCode as string, keep),
          ...(b.sourceLanguageCode ? {} : { detectedLanguageCode: 'en' }),
        })),
      },
    };
  });
}

/** Azure: POST /translate?api-version=3.0&to=…, Ocp-Apim-Subscription-Key (+ Region). */
export function startAzure(o: { key: string; region: string }): Promise<FakeApi> {
  return serve((r) => {
    if (r.path !== '/translate' || r.query.get('api-version') !== '3.0')
      return bad(400, { error: { code: 400021, message: 'The API version parameter is missing or invalid.' } });
    if (r.headers['ocp-apim-subscription-key'] !== o.key)
      return bad(401, { error: { code: 401000, message: 'The request is not authorized because credentials are missing or invalid.' } });
    if (r.headers['ocp-apim-subscription-region'] !== o.region)
      return bad(401, { error: { code: 401015, message: 'The region does not match the resource.' } });
    const to = r.query.get('to');
    if (!to) return bad(400, { error: { code: 400036, message: 'The target language ("To" field) is missing or invalid.' } });
    if (!Array.isArray(r.body)) return bad(400, { error: { code: 400074, message: 'The body of the request is not valid JSON.' } });
    const keep = r.query.get('textType') === 'html' ? /<span class="notranslate">[\s\S]*?<\/span>/g : undefined;
    return {
      status: 200,
      body: (r.body as { Text: string }[]).map((e) => ({
        ...(r.query.get('from') ? {} : { detectedLanguage: { language: 'en', score: 1.0 } }),
        translations: [{ text: fakeTranslate(e.Text, to, keep), to }],
      })),
    };
  });
}

/** OpenAI-compatible: POST /v1/chat/completions, `Authorization: Bearer KEY` when the fake has a key. */
export function startOpenAi(o: { key?: string; model: string }): Promise<FakeApi> {
  return serve((r) => {
    if (r.path !== '/v1/chat/completions') return bad(404, { error: { message: 'Not found', type: 'invalid_request_error' } });
    if (o.key && r.headers.authorization !== `Bearer ${o.key}`)
      return bad(401, {
        error: {
          message: `Incorrect API key provided: ${String(r.headers.authorization).replace(/^Bearer /, '')}`,
          type: 'invalid_request_error',
        },
      });
    const b = r.body as { model?: string; messages?: { role: string; content: string }[] };
    if (b?.model !== o.model)
      return bad(404, { error: { message: `The model \`${b?.model}\` does not exist`, type: 'invalid_request_error' } });
    const system = b.messages?.find((m) => m.role === 'system')?.content ?? '';
    const to = /into [^(]*\((\S+)\)/.exec(system)?.[1] ?? '??';
    const texts = JSON.parse(b.messages?.find((m) => m.role === 'user')?.content ?? '[]') as string[];
    const content = JSON.stringify({ translations: texts.map((t) => fakeTranslate(t, to)) });
    const prompt = Math.ceil((system.length + JSON.stringify(texts).length) / 4);
    const completion = Math.ceil(content.length / 4);
    return {
      status: 200,
      body: {
        id: 'chatcmpl-fake',
        object: 'chat.completion',
        model: o.model,
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
      },
    };
  });
}

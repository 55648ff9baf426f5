/**
 * The Bot Framework, played locally for tests, at the network boundary botbuilder talks to:
 *
 *   OpenID metadata + keys (like https://login.botframework.com/v1/.well-known/openidconfiguration):
 *     GET  /v1/.well-known/openidconfiguration, GET /v1/.well-known/keys
 *     The harness signs channel→bot JWTs (RS256) with the key published there.
 *   Bot Connector (the activity's serviceUrl):
 *     POST /v3/conversations/{conversationId}/activities[/{replyToId}]  → 200 {"id": …}
 *     Only with `Authorization: Bearer <token issued below>`, else 401.
 *   Entra ID token endpoint (HTTPS, MSAL refuses plain HTTP authorities), authority {loginUrl}:
 *     GET  {tenant}/v2.0/.well-known/openid-configuration, POST {tenant}/oauth2/v2.0/token
 *     client_credentials with our app id + secret and scope https://api.botframework.com/.default.
 *
 * The TLS certificate is made with openssl at start and trusted through https.globalAgent (the
 * agent MSAL uses), for this test process only.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes, randomUUID, sign, type KeyObject } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface ConnectorActivity {
  conversationId: string;
  replyToId?: string;
  activity: Record<string, unknown>;
  authorization?: string;
}

export interface ConnectorFailure {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface LocalBotFramework {
  appId: string;
  appPassword: string;
  /** For BotFrameworkOptions.endpoints. */
  openIdMetadataUrl: string;
  loginUrl: string;
  /** The serviceUrl to put in activities. */
  serviceUrl: string;
  /** A channel→bot token as the Bot Connector sends it; override claims or sign with another key. */
  channelToken(opts?: { serviceUrl?: string; claims?: Record<string, unknown>; key?: 'published' | 'rogue'; kid?: string }): string;
  /** Activities the connector received, in order (only authorized ones). */
  received: ConnectorActivity[];
  /** Requests the connector refused for a missing or unknown token. */
  unauthorized: number;
  /** Token requests the token endpoint answered. */
  tokenRequests: Array<Record<string, string>>;
  /** The next connector POST fails like this (queue). */
  failNext(f: ConnectorFailure): void;
  textsIn(conversationId: string): string[];
  close(): Promise<void>;
}

const ISSUER = 'https://api.botframework.com';
const body = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
const json = (res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(value === undefined ? '' : JSON.stringify(value));
};

export function signJwt(payload: Record<string, unknown>, key: KeyObject, kid: string): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const data = `${enc({ alg: 'RS256', typ: 'JWT', kid, x5t: kid })}.${enc(payload)}`;
  return `${data}.${sign('sha256', Buffer.from(data), key).toString('base64url')}`;
}

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

export async function startLocalBotFramework(
  appId = randomUUID(),
  appPassword = `pw~${randomBytes(12).toString('hex')}`,
): Promise<LocalBotFramework> {
  const published = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rogue = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = `kid-${randomBytes(6).toString('hex')}`;
  const jwk = published.publicKey.export({ format: 'jwk' });
  const issued = new Set<string>();
  const received: ConnectorActivity[] = [];
  const tokenRequests: Array<Record<string, string>> = [];
  const failures: ConnectorFailure[] = [];
  let unauthorized = 0;

  // --- OpenID metadata + Bot Connector (plain HTTP, like the Emulator's serviceUrl) ---
  let base = '';
  const http = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const raw = await body(req);
      if (req.method === 'GET' && url.pathname === '/v1/.well-known/openidconfiguration')
        return json(res, 200, {
          issuer: ISSUER,
          authorization_endpoint: 'https://invalid.botframework.com',
          jwks_uri: `${base}/v1/.well-known/keys`,
          id_token_signing_alg_values_supported: ['RS256'],
          token_endpoint_auth_methods_supported: ['private_key_jwt'],
        });
      if (req.method === 'GET' && url.pathname === '/v1/.well-known/keys')
        return json(res, 200, {
          keys: [{ ...jwk, kid, use: 'sig', x5t: kid, endorsements: ['msteams', 'webchat', 'directline', 'emulator'] }],
        });
      const m = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(url.pathname);
      if (req.method === 'POST' && m) {
        const authz = req.headers.authorization;
        if (!authz?.startsWith('Bearer ') || !issued.has(authz.slice(7))) {
          unauthorized++;
          return json(res, 401, { error: { code: 'Unauthorized', message: 'Authorization has been denied for this request.' } });
        }
        const f = failures.shift();
        if (f) return json(res, f.status, f.body, f.headers);
        const activity = JSON.parse(raw) as Record<string, unknown>;
        received.push({
          conversationId: decodeURIComponent(m[1]!),
          replyToId: m[2] && decodeURIComponent(m[2]),
          activity,
          authorization: authz,
        });
        return json(res, 200, { id: `act-${randomBytes(5).toString('hex')}` });
      }
      json(res, 404, { error: { code: 'NotFound', message: `${req.method} ${url.pathname}` } });
    })();
  });
  base = `http://127.0.0.1:${await listen(http)}`;

  // --- Token endpoint (HTTPS with a throwaway self-signed certificate) ---
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sora-bf-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'key.pem',
      '-out',
      'cert.pem',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { cwd: dir, stdio: 'ignore' },
  );
  const cert = readFileSync(path.join(dir, 'cert.pem'));
  const tlsKey = readFileSync(path.join(dir, 'key.pem'));
  rmSync(dir, { recursive: true, force: true });
  const previousCa = https.globalAgent.options.ca;
  https.globalAgent.options.ca = cert;
  let login = '';
  const tls = https.createServer({ key: tlsKey, cert }, (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'https://x');
      const raw = await body(req);
      const tenant = url.pathname.split('/')[1] ?? 'botframework.com';
      const authority = `${login}/${tenant}`;
      if (req.method === 'GET' && url.pathname.endsWith('/v2.0/.well-known/openid-configuration'))
        return json(res, 200, {
          token_endpoint: `${authority}/oauth2/v2.0/token`,
          authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
          end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
          jwks_uri: `${authority}/discovery/v2.0/keys`,
          issuer: `${authority}/v2.0`,
          response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
          token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        });
      if (req.method === 'POST' && url.pathname.endsWith('/oauth2/v2.0/token')) {
        const form = Object.fromEntries(new URLSearchParams(raw));
        tokenRequests.push(form);
        if (form.grant_type !== 'client_credentials' || form.client_id !== appId || form.client_secret !== appPassword)
          return json(res, 401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
        if (form.scope !== 'https://api.botframework.com/.default')
          return json(res, 400, { error: 'invalid_scope', error_description: `AADSTS70011: invalid scope ${form.scope}` });
        const token = `eyJ.local-access-token.${randomBytes(16).toString('hex')}`;
        issued.add(token);
        return json(res, 200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token });
      }
      json(res, 404, { error: 'not_found', error_description: `${req.method} ${url.pathname}` });
    })();
  });
  login = `https://127.0.0.1:${await listen(tls)}`;

  const serviceUrl = `${base}/`;
  return {
    appId,
    appPassword,
    openIdMetadataUrl: `${base}/v1/.well-known/openidconfiguration`,
    loginUrl: `${login}/botframework.com`,
    serviceUrl,
    channelToken(o = {}) {
      const now = Math.floor(Date.now() / 1000);
      const claims = { iss: ISSUER, aud: appId, nbf: now - 10, exp: now + 3600, serviceurl: o.serviceUrl ?? serviceUrl, ...o.claims };
      return signJwt(claims, o.key === 'rogue' ? rogue.privateKey : published.privateKey, o.kid ?? kid);
    },
    received,
    get unauthorized() {
      return unauthorized;
    },
    tokenRequests,
    failNext: (f) => void failures.push(f),
    textsIn: (conversationId) =>
      received.filter((r) => r.conversationId === conversationId && r.activity.type === 'message').map((r) => String(r.activity.text)),
    async close() {
      https.globalAgent.options.ca = previousCa;
      for (const s of [http, tls]) {
        s.closeAllConnections();
        await new Promise<void>((r) => s.close(() => r()));
      }
    },
  };
}

// The desk's calls to /desk/api: JSON in and out, the session's CSRF token on every change, and
// errors as ApiError carrying the server's message (shown to the agent as is).
import { h } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);

let csrf = null;
export const setCsrf = (t) => (csrf = t);

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export async function api(path, { method = 'GET', body } = {}) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  const res = await fetch('/desk/api' + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  if (res.status === 204) return null;
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = { message: text };
  }
  if (!res.ok) throw new ApiError(res.status, json);
  return json;
}

export const enc = encodeURIComponent;

/** Navigates the desk (hash routes). */
export const go = (hash) => {
  if (location.hash !== hash) location.hash = hash;
};

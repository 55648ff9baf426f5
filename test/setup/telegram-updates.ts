/** Telegram updates for tests, built from the saved payloads in test/fixtures/telegram/ (see its README). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Update } from 'grammy/types';

export function telegramFixture<T = Update>(name: string): T {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/telegram/${name}`, import.meta.url)), 'utf8')) as T;
}

let nextUpdateId = 800_000_000;

/** A private-chat text update (shape of update-private-text.json) from `userId`, with this message id and text. */
export function privateTextUpdate(userId: number, messageId: number, text: string, updateId = nextUpdateId++): Update {
  const u = telegramFixture<Update & { message: Record<string, unknown> }>('update-private-text.json');
  const m = u.message as unknown as { message_id: number; from: { id: number }; chat: { id: number }; date: number; text: string };
  u.update_id = updateId;
  m.message_id = messageId;
  m.from.id = userId;
  m.chat.id = userId;
  m.date = Math.floor(Date.now() / 1000);
  m.text = text;
  return u;
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<number> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  }).then(async (r) => {
    await r.arrayBuffer();
    return r.status;
  });
}

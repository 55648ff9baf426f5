/**
 * Virtual buyers. A web chat buyer opens a session (POST /webchat/:shop/sessions), keeps its reply
 * stream open (GET /webchat/:shop/events, server-sent events) and posts its messages
 * (POST /webchat/:shop/messages); a WhatsApp Cloud buyer posts signed webhook deliveries
 * (X-Hub-Signature-256) and gets its replies on the bench's Graph API stand-in. Latency is
 * POST sent → the first reply that arrives after it (a second reply to the previous message, or a
 * silence nudge with think times past its delay, would be taken for it). A buyer whose reply does not come within the
 * timeout stops (a late reply would be taken for the next message's).
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { signBody } from '../../bots/whatsapp-cloud/webhook.js';
import { TimeoutError, type GraphSink } from './graph-sink.js';

export interface Target {
  url: string;
  shopId: string;
  /** The WhatsApp Cloud channel, when the stack runs it with the bench's app secret and Graph URL. */
  whatsapp?: { appSecret: string; phoneNumberId: string; sink: GraphSink };
}

export interface MessageResult {
  channel: 'webchat' | 'whatsapp-cloud';
  /** ms from POST to the reply; null on error or timeout. */
  latencyMs: number | null;
  error?: string;
  timeout?: boolean;
  /** performance.now() when the reply came (or the failure). */
  doneAt: number;
}

export interface BuyerRun {
  workflowId: string;
  sent: number;
}

export interface BuyerPlan {
  messages: number;
  thinkMs: number;
  timeoutMs: number;
  question: () => string;
  onResult: (r: MessageResult) => void;
  /** Stop sending after the current message once this returns true. */
  stop?: () => boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ReplyEvent {
  /** performance.now() on arrival. */
  t: number;
  /** The message id and its createdAt (server clock, ms). */
  id: string;
  at: number;
}

/** Reads `event: message` events off a server-sent events body, timestamped on arrival. */
export class EventReader {
  private buf = '';
  private events: ReplyEvent[] = [];
  private waiter?: () => void;
  private ended = false;
  readonly done: Promise<void>;

  constructor(body: ReadableStream<Uint8Array>) {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    this.done = (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          this.buf += decoder.decode(value, { stream: true });
          let i: number;
          while ((i = this.buf.indexOf('\n\n')) >= 0) {
            const block = this.buf.slice(0, i);
            this.buf = this.buf.slice(i + 2);
            if (/^event: message$/m.test(block)) {
              const t = performance.now();
              let data: { id?: string; at?: string } = {};
              try {
                data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? '{}');
              } catch {
                // keep the arrival time alone
              }
              this.events.push({ t, id: data.id ?? '', at: data.at ? Date.parse(data.at) : NaN });
              this.waiter?.();
            }
          }
        }
      } catch {
        // aborted
      } finally {
        this.ended = true;
        this.waiter?.();
      }
    })();
  }

  /** Forget the events received so far. */
  clear(): void {
    this.events = [];
  }

  async next(timeoutMs: number): Promise<number> {
    return (await this.nextEvent(timeoutMs)).t;
  }

  async nextEvent(timeoutMs: number): Promise<ReplyEvent> {
    const deadline = performance.now() + timeoutMs;
    while (this.events.length === 0) {
      if (this.ended) throw new Error('reply stream ended');
      const left = deadline - performance.now();
      if (left <= 0) throw new TimeoutError();
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.waiter = undefined;
    }
    return this.events.shift()!;
  }
}

async function expectStatus(res: Response, ok: number[], what: string): Promise<void> {
  if (!ok.includes(res.status)) throw new Error(`${what} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
}

function failure(channel: MessageResult['channel'], e: unknown): MessageResult {
  const timeout = e instanceof TimeoutError;
  return {
    channel,
    latencyMs: null,
    timeout,
    error: timeout ? undefined : e instanceof Error ? e.message : String(e),
    doneAt: performance.now(),
  };
}

/** A buyer's reply stream; `after`: only messages after this one (Last-Event-ID). */
export async function openStream(t: Target, auth: Record<string, string>, after?: string): Promise<{ events: EventReader; close(): void }> {
  const ac = new AbortController();
  const q = after ? `?after=${encodeURIComponent(after)}` : '';
  const sse = await fetch(`${t.url}/webchat/${t.shopId}/events${q}`, { headers: auth, signal: ac.signal });
  await expectStatus(sse, [200], 'GET /events');
  return { events: new EventReader(sse.body!), close: () => ac.abort() };
}

/** Opens a web chat session and its reply stream. */
export async function openWebchat(
  t: Target,
): Promise<{ workflowId: string; auth: Record<string, string>; events: EventReader; close(): void }> {
  const s = await fetch(`${t.url}/webchat/${t.shopId}/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  await expectStatus(s, [201], 'POST /sessions');
  const session = (await s.json()) as { token: string; buyerId: string };
  const auth = { authorization: `Bearer ${session.token}` };
  const stream = await openStream(t, auth);
  return { workflowId: `conv:${t.shopId}:webchat:${session.buyerId}`, auth, ...stream };
}

export async function postWebchat(t: Target, auth: Record<string, string>, messageId: string, text: string): Promise<void> {
  const res = await fetch(`${t.url}/webchat/${t.shopId}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify({ messageId, text }),
  });
  await expectStatus(res, [202], 'POST /messages');
}

export async function webchatBuyer(t: Target, plan: BuyerPlan): Promise<BuyerRun> {
  let chat: Awaited<ReturnType<typeof openWebchat>>;
  try {
    chat = await openWebchat(t);
  } catch (e) {
    plan.onResult(failure('webchat', e));
    return { workflowId: '', sent: 0 };
  }
  let sent = 0;
  try {
    for (let i = 0; i < plan.messages; i++) {
      if (i > 0) await sleep(plan.thinkMs);
      chat.events.clear();
      const t0 = performance.now();
      try {
        await postWebchat(t, chat.auth, `m${i + 1}`, plan.question());
        sent++;
        const at = await chat.events.next(plan.timeoutMs - (performance.now() - t0));
        plan.onResult({ channel: 'webchat', latencyMs: at - t0, doneAt: at });
      } catch (e) {
        plan.onResult(failure('webchat', e));
        break;
      }
      if (plan.stop?.()) break;
    }
  } finally {
    chat.close();
  }
  return { workflowId: chat.workflowId, sent };
}

/** A WhatsApp Cloud webhook delivery of one text message, as Meta sends it. */
export function whatsappDelivery(phoneNumberId: string, waId: string, wamid: string, text: string): string {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: phoneNumberId },
              contacts: [{ profile: { name: 'Bench Buyer' }, wa_id: waId }],
              messages: [{ from: waId, id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: text } }],
            },
          },
        ],
      },
    ],
  });
}

export async function whatsappBuyer(t: Target, plan: BuyerPlan): Promise<BuyerRun> {
  const wa = t.whatsapp!;
  const waId = `1999${randomBytes(5).readUIntBE(0, 5).toString().padStart(10, '0').slice(0, 10)}`;
  const workflowId = `conv:${t.shopId}:whatsapp-cloud:${waId}`;
  let sent = 0;
  for (let i = 0; i < plan.messages; i++) {
    if (i > 0) await sleep(plan.thinkMs);
    wa.sink.drain(waId);
    const body = whatsappDelivery(wa.phoneNumberId, waId, `wamid.bench-${waId}-${i}`, plan.question());
    const t0 = performance.now();
    try {
      const res = await fetch(`${t.url}/webhooks/whatsapp-cloud`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(body, wa.appSecret) },
        body,
      });
      await expectStatus(res, [200], 'POST /webhooks/whatsapp-cloud');
      sent++;
      const at = await wa.sink.nextReply(waId, plan.timeoutMs - (performance.now() - t0));
      plan.onResult({ channel: 'whatsapp-cloud', latencyMs: at - t0, doneAt: at });
    } catch (e) {
      plan.onResult(failure('whatsapp-cloud', e));
      break;
    }
    if (plan.stop?.()) break;
  }
  return { workflowId, sent };
}

export interface LoadPlan {
  concurrency: number;
  messages: number;
  thinkMs: number;
  timeoutMs: number;
  /** Buyers in all (each of the `concurrency` slots runs buyers one after another); ignored with durationMs. */
  buyers: number;
  /** Slots keep starting new buyers until this much time has passed. */
  durationMs?: number;
  /** Share of buyers (0..1) that come through WhatsApp Cloud (when the target has it). */
  whatsappShare: number;
  /** The question of the n-th message of this run. */
  question: (n: number) => string;
  onResult: (r: MessageResult) => void;
}

/** Runs the buyers of one step; resolves when every buyer is done. */
export async function runBuyers(t: Target, p: LoadPlan): Promise<{ buyers: BuyerRun[]; wallMs: number }> {
  const t0 = performance.now();
  const runs: BuyerRun[] = [];
  let started = 0;
  let asked = 0;
  const timeUp = () => p.durationMs !== undefined && performance.now() - t0 >= p.durationMs;
  const more = () => (p.durationMs !== undefined ? !timeUp() : started < p.buyers);
  const slot = async (k: number) => {
    // Stagger the first buyers over a second, so a step does not open with one burst.
    await sleep(Math.floor((k / p.concurrency) * Math.min(1000, p.thinkMs || 1000)));
    while (more()) {
      const n = started++;
      // Every 1/share-th buyer is a WhatsApp one, spread evenly.
      const wa = t.whatsapp && p.whatsappShare > 0 && Math.floor((n + 1) * p.whatsappShare) > Math.floor(n * p.whatsappShare);
      const plan: BuyerPlan = {
        messages: p.messages,
        thinkMs: p.thinkMs,
        timeoutMs: p.timeoutMs,
        question: () => p.question(asked++),
        onResult: p.onResult,
        stop: timeUp,
      };
      runs.push(await (wa ? whatsappBuyer(t, plan) : webchatBuyer(t, plan)));
    }
  };
  await Promise.all(Array.from({ length: p.concurrency }, (_, k) => slot(k)));
  return { buyers: runs, wallMs: performance.now() - t0 };
}

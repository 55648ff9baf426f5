/** A minimal server-sent-events client for tests (what a browser's EventSource does). */
export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

export interface SseStream {
  events: SseEvent[];
  /** Resolves once the server has answered with 200 and the stream is open. */
  opened: Promise<void>;
  close(): void;
}

export function openSse(url: string, headers: Record<string, string> = {}): SseStream {
  const ac = new AbortController();
  const events: SseEvent[] = [];
  let resolveOpened!: () => void;
  let rejectOpened!: (e: unknown) => void;
  const opened = new Promise<void>((res, rej) => {
    resolveOpened = res;
    rejectOpened = rej;
  });
  void (async () => {
    try {
      const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: ac.signal });
      if (res.status !== 200 || !res.body) throw new Error(`SSE ${url} answered ${res.status}`);
      resolveOpened();
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += value;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev: SseEvent = { event: 'message', data: '' };
          let hasData = false;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue;
            const [k, ...rest] = line.split(':');
            const v = rest.join(':').replace(/^ /, '');
            if (k === 'id') ev.id = v;
            else if (k === 'event') ev.event = v;
            else if (k === 'data') {
              ev.data += (hasData ? '\n' : '') + v;
              hasData = true;
            }
          }
          if (hasData) events.push(ev);
        }
      }
    } catch (e) {
      if (!ac.signal.aborted) rejectOpened(e);
    }
  })();
  return { events, opened, close: () => ac.abort() };
}

/**
 * Typed errors of the tracking clients. `retryable` says whether trying the same call later can
 * help; the Temporal activity (activity.ts) turns the others into non-retryable failures.
 */
export class CarrierError extends Error {
  readonly retryable: boolean;
  readonly status?: number;
  constructor(
    readonly client: string,
    message: string,
    opts: { retryable: boolean; status?: number; cause?: unknown },
  ) {
    super(`${client}: ${message}`, { cause: opts.cause });
    this.name = new.target.name;
    this.retryable = opts.retryable;
    this.status = opts.status;
  }
}

/** The carrier knows no such number (or has no events for it yet). */
export class NotFoundError extends CarrierError {
  constructor(client: string, message = 'tracking number not found', status?: number) {
    super(client, message, { retryable: false, status });
  }
}

/** Credentials refused: missing, wrong, revoked, or a token that stayed refused after one refresh. */
export class UnauthorizedError extends CarrierError {
  constructor(client: string, message = 'credentials refused', status?: number) {
    super(client, message, { retryable: false, status });
  }
}

/** 429 (or the carrier's own quota code) after the client's bounded retries. */
export class RateLimitedError extends CarrierError {
  constructor(
    client: string,
    readonly retryAfterMs: number | undefined,
    message = 'rate limited',
    status = 429,
  ) {
    super(client, message, { retryable: true, status });
  }
}

/** 5xx, a timeout or a network failure after the client's bounded retries. */
export class ServerError extends CarrierError {
  constructor(client: string, message: string, status?: number, cause?: unknown) {
    super(client, message, { retryable: true, status, cause });
  }
}

/** A 4xx other than the above, or a body we cannot read: our request or the carrier's contract is wrong. */
export class BadResponseError extends CarrierError {
  constructor(client: string, message: string, status?: number) {
    super(client, message, { retryable: false, status });
  }
}

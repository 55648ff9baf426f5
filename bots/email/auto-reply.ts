/**
 * Mail no person wrote to us, recognised before anything is answered: answering an out-of-office
 * reply or a bounce starts mail loops. Checked, in order:
 *  - bounce: a `multipart/report; report-type=delivery-status` (RFC 3464), a MAILER-DAEMON or
 *    postmaster sender, or a null Return-Path `<>` (RFC 5321 §4.5.5);
 *  - receipt: a `multipart/report; report-type=disposition-notification` (read receipts, RFC 8098);
 *  - auto_reply: `Auto-Submitted` other than `no` (RFC 3834), `X-Autoreply`, `X-Autorespond`,
 *    `X-Auto-Response-Suppress: All/OOF/AutoReply` (Exchange), `Precedence: auto_reply`, an
 *    automatic-reply subject ("Automatic reply:", "Out of Office", "Autoreply");
 *  - list: `Precedence: bulk/list/junk`, `List-Id`, `List-Unsubscribe` (newsletters, mailing lists);
 *  - no_reply: a no-reply sender (nobody reads an answer).
 */
export type SkipReason = 'bounce' | 'receipt' | 'auto_reply' | 'list' | 'no_reply';

/** Header lookup by lower-case name: the unfolded value of its first occurrence. */
export type Headers = (name: string) => string | undefined;

export function automatedMail(
  h: Headers,
  from: string | undefined,
  subject: string | undefined,
): { reason: SkipReason; detail: string } | null {
  const ct = (h('content-type') ?? '').toLowerCase();
  if (/^multipart\/report\b/.test(ct)) {
    if (/report-type\s*=\s*"?disposition-notification/.test(ct))
      return { reason: 'receipt', detail: 'Content-Type: multipart/report (disposition-notification)' };
    return { reason: 'bounce', detail: 'Content-Type: multipart/report (delivery-status)' };
  }
  const local = (from ?? '').split('@')[0]!.toLowerCase();
  if (local === 'mailer-daemon' || local === 'postmaster') return { reason: 'bounce', detail: `From: ${from}` };
  const returnPath = h('return-path');
  if (returnPath !== undefined && /^<\s*>$/.test(returnPath.trim())) return { reason: 'bounce', detail: 'Return-Path: <>' };

  const auto = h('auto-submitted');
  if (auto && auto.trim().toLowerCase() !== 'no') return { reason: 'auto_reply', detail: `Auto-Submitted: ${auto.trim()}` };
  for (const name of ['x-autoreply', 'x-autorespond', 'x-autoresponder']) {
    const v = h(name);
    if (v !== undefined) return { reason: 'auto_reply', detail: `${name}: ${v.trim()}` };
  }
  const suppress = h('x-auto-response-suppress');
  if (suppress && /\b(all|oof|autoreply)\b/i.test(suppress))
    return { reason: 'auto_reply', detail: `X-Auto-Response-Suppress: ${suppress.trim()}` };
  const precedence = (h('precedence') ?? '').trim().toLowerCase();
  if (precedence === 'auto_reply') return { reason: 'auto_reply', detail: 'Precedence: auto_reply' };
  if (
    /^(automatic reply|auto(matic)?[- ]?reply|autoreply|out of (the )?office|abwesenheitsnotiz|réponse automatique|respuesta automática)\b/i.test(
      (subject ?? '').trim(),
    )
  )
    return { reason: 'auto_reply', detail: `Subject: ${subject}` };

  if (['bulk', 'list', 'junk'].includes(precedence)) return { reason: 'list', detail: `Precedence: ${precedence}` };
  if (h('list-id') !== undefined) return { reason: 'list', detail: 'List-Id' };
  if (h('list-unsubscribe') !== undefined) return { reason: 'list', detail: 'List-Unsubscribe' };

  if (/^(no-?reply|do-?not-?reply|donotreply)([+.-].*)?$/.test(local)) return { reason: 'no_reply', detail: `From: ${from}` };
  return null;
}

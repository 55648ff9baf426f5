/**
 * The new part of an email reply: what the buyer wrote above the quoted message and their
 * signature. Understanding reads only this; the full text is kept in the message's `raw`.
 *
 * Cut at the first of:
 *  - a reply header: "On <date>, <name> wrote:" (also wrapped over two lines, as Gmail does) and its
 *    French, Spanish, Portuguese, German, Dutch, Italian, Chinese and Japanese forms;
 *  - Outlook's "-----Original Message-----", a "________" rule followed by "From:", or a header
 *    block "From: …" followed within three lines by "Sent:"/"Date:" and "To:"/"Subject:";
 *  - a signature delimiter "-- " (RFC 3676; "--" too) or a mobile client's "Sent from my …",
 *    "Get Outlook for …";
 * then drop remaining "> " quoted lines and trailing blank lines.
 */
const REPLY_HEADER = [
  /^On\b.{0,300}\bwrote:\s*$/i,
  /^Le\b.{0,300}\ba écrit\s*:\s*$/i,
  /^El\b.{0,300}\bescribió:\s*$/i,
  /^Em\b.{0,300}\bescreveu:\s*$/i,
  /^Am\b.{0,300}\bschrieb\b.{0,100}:\s*$/i,
  /^Op\b.{0,300}\bschreef\b.{0,100}:\s*$/i,
  /^Il giorno\b.{0,300}\bha scritto:\s*$/i,
  /^在.{0,300}写道[:：]\s*$/,
  /^.{0,300}のメッセージ[:：]\s*$/,
];
const OUTLOOK_RULE = [/^-{2,}\s*(Original Message|Mensaje original|Message d'origine|Ursprüngliche Nachricht)\s*-{2,}\s*$/i];
const FROM_LINE = /^\*?(From|De|Von|Van|Da|发件人)\s*:\*?\s/i;
const HEADER_LINE =
  /^\*?(Sent|Date|To|Subject|Cc|Enviado|Envoyé|Gesendet|Para|À|An|Objet|Asunto|Betreff|Onderwerp|发送时间|收件人|主题)\s*:/i;
const SIGNATURE = [
  /^-- ?$/,
  /^Sent from my \w+/i,
  /^Sent from (Mail|Outlook|Yahoo Mail) for \w+/i,
  /^Get Outlook for \w+/i,
  /^Enviado desde mi \w+/i,
  /^Envoyé de mon \w+/i,
];

export function stripQuoted(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let end = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    const joined = `${line} ${(lines[i + 1] ?? '').trim()}`.trim();
    if (REPLY_HEADER.some((r) => r.test(line))) {
      end = i;
      break;
    }
    // Gmail wraps a long header: "On Mon, 1 Jan 2024 at 10:00, Alice Example <\nalice@example.com> wrote:"
    if (/^(On|Le|El|Em|Am|Op)\b/i.test(line) && REPLY_HEADER.some((r) => r.test(joined))) {
      end = i;
      break;
    }
    if (OUTLOOK_RULE.some((r) => r.test(line))) {
      end = i;
      break;
    }
    if (/^_{5,}\s*$/.test(line) && FROM_LINE.test((lines[i + 1] ?? '').trim())) {
      end = i;
      break;
    }
    if (FROM_LINE.test(line) && lines.slice(i + 1, i + 4).filter((l) => HEADER_LINE.test(l.trim())).length >= 2) {
      end = i;
      break;
    }
    if (SIGNATURE.some((r) => r.test(line))) {
      end = i;
      break;
    }
  }
  const kept = lines.slice(0, end).filter((l) => !/^\s*>/.test(l));
  while (kept.length && !kept[kept.length - 1]!.trim()) kept.pop();
  while (kept.length && !kept[0]!.trim()) kept.shift();
  return kept.join('\n').trim();
}

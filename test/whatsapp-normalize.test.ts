/**
 * WhatsApp messages (fixtures in the shape Baileys emits, test/fixtures/whatsapp/messages.json) →
 * InboundMessage, and what is ignored. Also the channel's environment settings.
 */
import { proto } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { createAdapters } from '../bots/channels.js';
import { ConfigError, loadConfig } from '../infra/config/index.js';
import { whatsappConfig } from '../bots/whatsapp/config.js';
import { auditCopy, normalizeWhatsappMessage, toNumber, type NormalizeOptions } from '../bots/whatsapp/normalize.js';
import { waMessage } from './kit/whatsapp-socket-double.js';
import fixtures from './fixtures/whatsapp/messages.json' with { type: 'json' };

type Name = Exclude<keyof typeof fixtures, '_source'>;
const NOW = new Date('2024-11-25T09:30:00Z'); // fixtures were "sent" at 1732527000 = 09:30:00Z
const opts: NormalizeOptions = { shopId: 'demo', allowGroups: false, upsertType: 'notify', catchUpWindowMs: 24 * 3_600_000, now: NOW };
const norm = (name: Name, o: Partial<NormalizeOptions> = {}) => normalizeWhatsappMessage(waMessage(fixtures[name]), { ...opts, ...o });
const ok = (name: Name, o: Partial<NormalizeOptions> = {}) => {
  const r = norm(name, o);
  if (!r.ok) throw new Error(`${name} was ignored: ${r.reason}`);
  return r.message;
};

describe('WhatsApp fixtures', () => {
  it('use only fields of the WAProto schema (a protobuf round trip keeps every one)', () => {
    for (const [name, json] of Object.entries(fixtures)) {
      if (name === '_source') continue;
      const { remoteJidAlt: _a, addressingMode: _m, ...key } = (json as { key: Record<string, unknown> }).key;
      const plain = { ...(json as object), key };
      expect(proto.WebMessageInfo.fromObject(plain).toJSON(), name).toEqual(plain);
    }
  });
});

describe('normalizeWhatsappMessage', () => {
  it('plain text (conversation): ids, buyer JID, reply address, time', () => {
    const m = ok('text');
    expect(m).toMatchObject({
      channel: 'whatsapp',
      shopId: 'demo',
      buyerId: '15551230001@s.whatsapp.net',
      externalId: '3EB0C431C26A1916E07A',
      text: 'Hi, where is my order?',
      receivedAt: NOW.toISOString(),
      replyTo: { jid: '15551230001@s.whatsapp.net' },
    });
    expect(m.attachments).toBeUndefined();
    expect(m.raw).toMatchObject({ upsertType: 'notify', pushName: 'Ana' });
  });

  it('extended text (links, previews)', () => {
    expect(ok('extendedText').text).toBe('Is this still in stock? https://shop.example/p/123');
  });

  it('a reply keeps the quoted message in raw, the text is the buyer’s own words', () => {
    const m = ok('reply');
    expect(m.text).toBe('The blue one please');
    expect(m.raw).toMatchObject({
      quoted: { id: 'BAE5F1D2C3B4A596', participant: '15550009999@s.whatsapp.net', text: 'Which colour would you like?' },
    });
  });

  it('image with caption: caption as text, attachment with type, mimetype and size; nothing downloaded', () => {
    const m = ok('imageWithCaption');
    expect(m.text).toBe('The box arrived damaged');
    expect(m.attachments).toEqual([{ type: 'image', mimeType: 'image/jpeg', sizeBytes: 184322 }]);
  });

  it('video with caption', () => {
    const m = ok('videoWithCaption');
    expect(m.text).toBe('It makes this noise');
    expect(m.attachments).toEqual([{ type: 'video', mimeType: 'video/mp4', sizeBytes: 2621440 }]);
  });

  it('document with caption (documentWithCaptionMessage wrapper): file name kept', () => {
    const m = ok('documentWithCaption');
    expect(m.text).toBe('Here is my invoice, order 1042');
    expect(m.attachments).toEqual([{ type: 'document', mimeType: 'application/pdf', sizeBytes: 53211, name: 'invoice-1042.pdf' }]);
  });

  it('voice note, sticker and location: attachments without text', () => {
    expect(ok('voiceNote')).toMatchObject({
      text: '',
      attachments: [{ type: 'audio', mimeType: 'audio/ogg; codecs=opus', sizeBytes: 8342 }],
    });
    expect(ok('sticker')).toMatchObject({ text: '', attachments: [{ type: 'sticker', mimeType: 'image/webp', sizeBytes: 60206 }] });
    expect(ok('location').attachments).toEqual([
      { type: 'location', url: 'geo:40.4168,-3.7038', name: 'Puerta del Sol, Plaza de la Puerta del Sol, Madrid' },
    ]);
  });

  it('disappearing-message wrapper (ephemeralMessage) is unwrapped', () => {
    expect(ok('ephemeral').text).toBe('Can I change the delivery address?');
  });

  it('LID-addressed chat: the buyer is the phone-number JID WhatsApp gives alongside, replies go to the chat', () => {
    const m = ok('lidAddressed');
    expect(m.buyerId).toBe('15551230011@s.whatsapp.net');
    expect(m.replyTo).toEqual({ jid: '123456789012345@lid', altJid: '15551230011@s.whatsapp.net' });
  });

  it('a reply to a (legacy) button becomes the button text', () => {
    expect(ok('buttonReply').text).toBe('Track my order');
  });

  it("an own message (typed on the shop phone / WhatsApp Business app) is a seller message for the chat's buyer", () => {
    const m = ok('ownMessage');
    expect(m).toMatchObject({
      author: 'seller',
      buyerId: '15551230001@s.whatsapp.net',
      externalId: 'BAE5A1B2C3D4E5F6',
      text: 'Your order ships tomorrow.',
      replyTo: { jid: '15551230001@s.whatsapp.net' },
    });
    expect(ok('text').author).toBeUndefined(); // buyer messages carry no author (= buyer)
  });

  it("own messages: remoteJidAlt (the sender's, i.e. our own other address) is not taken for the buyer", () => {
    const lid = fixtures.lidAddressed;
    const own = waMessage({ ...lid, key: { ...lid.key, fromMe: true, remoteJidAlt: '15550001111@s.whatsapp.net' } });
    const r = normalizeWhatsappMessage(own, opts);
    expect(r).toMatchObject({
      ok: true,
      message: { author: 'seller', buyerId: '123456789012345@lid', replyTo: { jid: '123456789012345@lid' } },
    });
  });

  it('own messages in groups (even allowed ones), in the chat with ourselves and in status broadcasts are ignored', () => {
    const own = (name: Name, remoteJid?: string) => {
      const f = fixtures[name] as { key: Record<string, unknown> };
      return waMessage({ ...f, key: { ...f.key, fromMe: true, ...(remoteJid ? { remoteJid } : {}) } });
    };
    expect(normalizeWhatsappMessage(own('group'), { ...opts, allowGroups: true })).toMatchObject({
      ok: false,
      reason: 'own_message_in_group',
    });
    expect(normalizeWhatsappMessage(own('group'), opts)).toMatchObject({ ok: false, reason: 'group' });
    const self = { ...opts, selfJids: ['15550001111:7@s.whatsapp.net', '99887766554433@lid'] };
    expect(normalizeWhatsappMessage(own('ownMessage', '15550001111@s.whatsapp.net'), self)).toMatchObject({
      ok: false,
      reason: 'self_chat',
    });
    expect(normalizeWhatsappMessage(own('ownMessage', '99887766554433@lid'), self)).toMatchObject({ ok: false, reason: 'self_chat' });
    expect(normalizeWhatsappMessage(own('statusBroadcast'), opts)).toMatchObject({ ok: false, reason: 'status_broadcast' });
  });

  it.each([
    ['statusBroadcast', 'status_broadcast'],
    ['group', 'group'],
    ['revoke', 'protocol'],
    ['reaction', 'reaction'],
    ['undecryptable', 'stub:CIPHERTEXT'],
  ] as const)('ignores %s (%s)', (name, reason) => {
    const r = norm(name);
    expect(r).toEqual({ ok: false, reason, externalId: fixtures[name].key.id });
  });

  it('groups can be allowed: the group is the buyer, the sender is kept in raw', () => {
    const m = ok('group', { allowGroups: true });
    expect(m.buyerId).toBe('120363025246125486@g.us');
    expect(m.replyTo).toEqual({ jid: '120363025246125486@g.us' });
    expect(m.raw).toMatchObject({ participant: '15551230014@s.whatsapp.net' });
  });

  it('takes `append` messages (received while offline) within the catch-up window, not older ones', () => {
    expect(ok('text', { upsertType: 'append', now: new Date(NOW.getTime() + 3_600_000) }).text).toBe('Hi, where is my order?');
    expect(norm('text', { upsertType: 'append', now: new Date(NOW.getTime() + 25 * 3_600_000) })).toMatchObject({
      ok: false,
      reason: 'not_new',
    });
  });

  it('keeps media keys, thumbnails and hashes out of the audit copy', () => {
    const raw = ok('imageWithCaption').raw as { message: { message: { imageMessage: Record<string, unknown> } } };
    const img = raw.message.message.imageMessage;
    expect(img.mediaKey).toBe('<omitted>');
    expect(img.jpegThumbnail).toBe('<omitted>');
    expect(img.fileSha256).toBe('<omitted>');
    expect(img.caption).toBe('The box arrived damaged');
    expect(JSON.stringify(raw)).not.toContain(fixtures.imageWithCaption.message.imageMessage.mediaKey);
    expect(auditCopy(waMessage(fixtures.text))).toMatchObject({ key: { id: '3EB0C431C26A1916E07A' } });
  });

  it('reads protobuf int64 in every form Baileys hands out', () => {
    expect(toNumber('53211')).toBe(53211);
    expect(toNumber(42)).toBe(42);
    expect(toNumber({ low: 5, high: 1 })).toBe(2 ** 32 + 5);
    expect(toNumber(waMessage(fixtures.imageWithCaption).message!.imageMessage!.fileLength as never)).toBe(184322);
    expect(toNumber(null)).toBeUndefined();
  });
});

describe('WhatsApp settings (SORA_WHATSAPP_*)', () => {
  it('defaults: the demo shop, no groups, typing on, QR in the terminal, 1s–2m backoff', () => {
    expect(whatsappConfig({})).toEqual({
      shops: ['demo'],
      pairingPhones: {},
      allowGroups: false,
      typing: true,
      qrTerminal: true,
      catchUpWindowMs: 24 * 3_600_000,
      reconnect: { minMs: 1000, maxMs: 120_000 },
      baileysLogLevel: 'warn',
      alertWebhookUrl: undefined,
    });
    expect(createAdapters(loadConfig({ SORA_CHANNELS: 'webchat,whatsapp' }).channels).map((a) => a.id)).toEqual(['webchat', 'whatsapp']);
  });

  it('several shops, pairing phones per shop, durations and switches', () => {
    const c = whatsappConfig({
      SORA_WHATSAPP_SHOPS: 'shop-a, shop_b',
      SORA_WHATSAPP_PAIRING_PHONE: 'shop-a=+1 (555) 123-4567,shop_b=4915112345678',
      SORA_WHATSAPP_GROUPS: 'true',
      SORA_WHATSAPP_TYPING: 'off',
      SORA_WHATSAPP_RECONNECT_MIN: '500ms',
      SORA_WHATSAPP_RECONNECT_MAX: '1m',
    });
    expect(c).toMatchObject({
      shops: ['shop-a', 'shop_b'],
      pairingPhones: { 'shop-a': '15551234567', shop_b: '4915112345678' },
      allowGroups: true,
      typing: false,
      reconnect: { minMs: 500, maxMs: 60_000 },
    });
    expect(whatsappConfig({ SORA_WHATSAPP_PAIRING_PHONE: '15551234567' }).pairingPhones).toEqual({ demo: '15551234567' });
  });

  it('reports every problem at once, naming the variables', () => {
    let err: unknown;
    try {
      loadConfig({
        SORA_CHANNELS: 'whatsapp',
        SORA_WHATSAPP_SHOPS: 'a,b',
        SORA_WHATSAPP_PAIRING_PHONE: '15551234567',
        SORA_WHATSAPP_GROUPS: 'maybe',
        SORA_WHATSAPP_RECONNECT_MAX: 'soon',
        SORA_ALERT_WEBHOOK_URL: 'not a url',
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      // The alert URL is a general setting, shared with the conversation alerts.
      'SORA_ALERT_WEBHOOK_URL: "not a url" is not a URL',
      'whatsapp: SORA_WHATSAPP_GROUPS: must be true or false',
      'whatsapp: SORA_WHATSAPP_RECONNECT_MAX: "soon" is not a duration (use e.g. 1500ms, 30s, 10m, 24h, 2d)',
    ]);
    // Cross-field rules run once the fields themselves are valid.
    expect(() => whatsappConfig({ SORA_WHATSAPP_SHOPS: 'a,b', SORA_WHATSAPP_PAIRING_PHONE: '15551234567' })).toThrow(
      /with several shops, give shop=phone pairs/,
    );
    expect(() => whatsappConfig({ SORA_WHATSAPP_PAIRING_PHONE: 'demo=12' })).toThrow(/digits only/);
    expect(() => whatsappConfig({ SORA_WHATSAPP_PAIRING_PHONE: 'other=15551234567' })).toThrow(/other.{0,4} is not in SORA_WHATSAPP_SHOPS/);
    expect(() => whatsappConfig({ SORA_WHATSAPP_RECONNECT_MIN: '10s', SORA_WHATSAPP_RECONNECT_MAX: '1s' })).toThrow(/must not be below/);
  });
});

import { model, Schema, type InferSchemaType } from 'mongoose';

const shopSchema = new Schema(
  {
    shopId: { type: String, required: true },
    name: { type: String, required: true },
    /** Language used when the buyer's language has no answer. */
    defaultLanguage: { type: String, default: 'en' },
    /** Languages the shop offers (answers, agents); empty = every language the catalog has. */
    languages: { type: [String], default: [] },
    /** IANA time zone of the shop's business hours (e.g. Asia/Singapore). */
    timeZone: { type: String, default: 'UTC' },
    /** The demo month seeded here (scripts/demo/demo-month.ts): its days (in timeZone), absent when none. */
    demoMonth: { type: { from: String, to: String, seededAt: Date, conversations: Number }, default: undefined, _id: false },
    /**
     * Business hours in `timeZone`: each row opens the listed weekdays (0 = Sunday … 6 = Saturday)
     * from `open` to `close` ("HH:MM", 24 h). Empty = always open. Routing and ticket SLAs use them
     * (models/business-hours.ts).
     */
    businessHours: {
      type: [
        new Schema(
          { days: { type: [Number], required: true }, open: { type: String, required: true }, close: { type: String, required: true } },
          { _id: false },
        ),
      ],
      default: [],
    },
    /**
     * Ticket SLA: business minutes until a ticket of each priority is due (models/ticket.ts). Unset
     * priorities use the defaults in models/ticket.ts (TICKET_SLA_DEFAULT_MINUTES).
     */
    slaMinutes: {
      type: new Schema({ low: Number, normal: Number, high: Number, urgent: Number }, { _id: false }),
      default: () => ({}),
    },
    /** Solved tickets close after this many days without a buyer reply. */
    ticketAutoCloseDays: { type: Number, default: 7 },
    /** Channels enabled for this shop. */
    channels: { type: [String], default: ['webchat'] },
    /**
     * Terms machine translation never translates (brand names, sizes; the KB's SKUs are added
     * automatically): activities/knowledge/kb-translate.ts, docs/translation.md.
     */
    glossary: { type: [String], default: [] },
    /** Bumped when machine-translated answers change (no index rebuild; answer caches re-read, kb-version.ts). */
    answersRev: { type: Number, default: 0 },
    /** Bumped by every KB import; workers rebuild their in-memory index when it changes. */
    kbVersion: { type: Number, default: 0 },
    /**
     * The versions made by adding one FAQ entry (activities/knowledge/kb-add.ts) since the last import
     * (which empties it), newest last, at most 100: a worker whose index is at version v and finds
     * every version after v here adds those entries to it instead of rebuilding (kb-index.ts).
     */
    kbAdds: {
      type: [new Schema({ version: { type: Number, required: true }, questionId: { type: String, required: true } }, { _id: false })],
      default: [],
    },
    /**
     * Spanish variant for buyer messages: 'es' (Spain) or 'es-419' (Latin America). Same list as
     * SPANISH_VARIANTS in activities/catalog/languages.ts (models import no layer above them;
     * test/catalogs.test.ts keeps the two equal).
     */
    spanishVariant: { type: String, enum: ['es', 'es-419'], default: 'es' },
    /** Return/exchange policy config (same shape as policies/<shop>.yaml); validated when loaded. */
    returnPolicy: { type: Schema.Types.Mixed, default: undefined },
    /** Customs delay overrides per country (same shape as SORA_CUSTOMS_DELAYS_FILE). */
    customsDelays: { type: Schema.Types.Mixed, default: undefined },
    /** Silence nudge with a coupon from the shop's pool (`sora coupons enable|disable`). */
    nudgeCoupon: {
      type: new Schema({ enabled: { type: Boolean, default: false } }, { _id: false }),
      default: () => ({ enabled: false }),
    },
    /**
     * Conversation strategy (PRODUCT R20): unset fields use the deployment's defaults
     * (SORA_SILENCE_NUDGE, SORA_IDLE_CLOSE, SORA_NPS_DELAY). The nudge's coupon is `nudgeCoupon.enabled`.
     * Edited with `sora shops strategy` and PUT /operator/shops/:shopId/strategy.
     */
    strategy: {
      type: new Schema(
        {
          silenceNudge: { type: Boolean, default: null },
          silenceNudgeDelayMs: { type: Number, default: null },
          silenceNudgeAfter: { type: String, enum: ['any_reply', 'question', null], default: null },
          silenceNudgeMax: { type: Number, default: null },
          idleCloseMs: { type: Number, default: null },
          npsDelayMs: { type: Number, default: null },
        },
        { _id: false },
      ),
      default: () => ({}),
    },
    /** The last rule `sora coupons generate` used (prefix, code length, discount, expiry), for reference. */
    couponRule: {
      type: new Schema(
        { prefix: String, length: Number, discount: String, expiresAt: { type: Date, default: null }, generatedAt: Date },
        { _id: false },
      ),
      default: null,
    },
    /**
     * Web chat identity secret: the store signs its customer ids with it (HMAC-SHA256) so a buyer
     * can chat as that customer. Read and written only by models/webchat-identity-secret.ts; never
     * selected by default. Set with `sora shops identity-secret --shop ID`.
     */
    webchatIdentitySecret: { type: String, default: null, select: false },
  },
  { timestamps: true },
);
shopSchema.index({ shopId: 1 }, { unique: true });

export type Shop = InferSchemaType<typeof shopSchema>;
export const ShopModel = model('Shop', shopSchema);

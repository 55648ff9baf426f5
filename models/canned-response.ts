/**
 * Canned responses (the desk, issue 16): a shop's ready answers per language, with placeholders the
 * desk fills from the buyer sidebar before the agent sends: {order_number} {tracking_link}
 * {buyer_name} {agent_name}.
 */
import { model, Schema, type InferSchemaType } from 'mongoose';

export const CANNED_PLACEHOLDERS = ['order_number', 'tracking_link', 'buyer_name', 'agent_name'] as const;
export type CannedPlaceholder = (typeof CANNED_PLACEHOLDERS)[number];
export const CANNED_LIMITS = { title: 120, text: 4000 } as const;

const cannedSchema = new Schema(
  {
    shopId: { type: String, required: true },
    /** ISO 639-1 (e.g. `es`), or a locale such as `es-419`. */
    language: { type: String, required: true },
    title: { type: String, required: true, maxlength: CANNED_LIMITS.title },
    text: { type: String, required: true, maxlength: CANNED_LIMITS.text },
    createdBy: { type: String, default: null },
  },
  { timestamps: true, versionKey: false },
);
cannedSchema.index({ shopId: 1, language: 1, title: 1 }, { unique: true });

export type CannedResponse = InferSchemaType<typeof cannedSchema>;
export const CannedResponseModel = model('CannedResponse', cannedSchema);

/** Placeholders of a text that are not known ones (a typo the seller should see). */
export function unknownPlaceholders(text: string): string[] {
  const found = [...text.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1]!);
  return [...new Set(found.filter((p) => !(CANNED_PLACEHOLDERS as readonly string[]).includes(p)))];
}

/** The text with each known placeholder replaced (unknown values stay as they are, for the agent to fill). */
export function fillPlaceholders(text: string, values: Partial<Record<CannedPlaceholder, string | null | undefined>>): string {
  return text.replace(/\{([a-z_]+)\}/g, (whole, name: string) => {
    const v = values[name as CannedPlaceholder];
    return typeof v === 'string' && v ? v : whole;
  });
}

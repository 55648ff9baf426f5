/**
 * Internal notes on a conversation (the desk, issue 16): what agents tell each other about a buyer's
 * matter. Never sent to the buyer: nothing on the send path reads this collection.
 */
import { model, Schema, type InferSchemaType } from 'mongoose';

export const NOTE_MAX = 4000;

const noteSchema = new Schema(
  {
    shopId: { type: String, required: true },
    /** The conversation's workflow id. */
    workflowId: { type: String, required: true },
    agentId: { type: String, required: true },
    agentName: { type: String, default: null },
    text: { type: String, required: true, maxlength: NOTE_MAX },
  },
  { timestamps: true, versionKey: false },
);
noteSchema.index({ workflowId: 1, _id: 1 });

export type Note = InferSchemaType<typeof noteSchema>;
export const NoteModel = model('Note', noteSchema);

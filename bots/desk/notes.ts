/**
 * Internal notes on a conversation (models/note.ts): GET/POST /desk/api/conversations/:id/notes.
 * Agents of the conversation's shop read and write them; they never reach the buyer.
 */
import { Router } from 'express';
import { z } from 'zod';
import { NOTE_MAX, NoteModel } from '../../models/note.js';
import { hasControlChars } from '../../infra/terminal-text.js';
import { conversationOf, parseBody } from './scope.js';

const noteBody = z.object({
  text: z
    .string({ required_error: 'text is required', invalid_type_error: 'text must be a string' })
    .trim()
    .min(1, 'text must not be empty')
    .max(NOTE_MAX, `text must be at most ${NOTE_MAX} characters`)
    .refine((t) => !hasControlChars(t, { allowLayout: true }), 'text must not contain control characters (newline and tab are fine)'),
});

const noteView = (n: { _id: unknown; agentId: string; agentName?: string | null; text: string; createdAt?: Date }) => ({
  id: String(n._id),
  agentId: n.agentId,
  agentName: n.agentName ?? null,
  text: n.text,
  at: n.createdAt ?? null,
});

export function noteRoutes(): Router {
  const r = Router();
  r.get('/conversations/:id/notes', async (req, res) => {
    const c = await conversationOf(req);
    const notes = await NoteModel.find({ workflowId: c.workflowId }).sort({ _id: 1 }).limit(500).lean();
    res.setHeader('Cache-Control', 'no-store');
    res.json({ notes: notes.map(noteView) });
  });
  r.post('/conversations/:id/notes', async (req, res) => {
    const c = await conversationOf(req);
    const { text } = parseBody(noteBody, req);
    const n = await NoteModel.create({
      shopId: c.shopId,
      workflowId: c.workflowId,
      agentId: req.agent!.id,
      agentName: req.agent!.name,
      text,
    });
    res.status(201).json(noteView(n.toObject()));
  });
  return r;
}

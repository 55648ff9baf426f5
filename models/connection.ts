/** The MongoDB connection (MONGODB_URI). Works with mongod, Atlas and the bundled mongo-java-server. */
import mongoose from 'mongoose';
// Every schema registers itself on import; ensureIndexes() walks them all.
import './shop.js';
import './buyer.js';
import './message.js';
import './conversation.js';
import './order.js';
import './faq-entry.js';
import './nps-answer.js';
import './notification.js';
import './unmatched-question.js';
import './whatsapp-auth.js';
import './coupon.js';
import './carrier-credential.js';
import './channel-session.js';
import './privacy-audit.js';
import './operator-credential.js';
import './agent.js';
import './desk-session.js';
import './sign-in-link.js';
import './ticket.js';
import './parcel-status.js';
import './kb-import.js';
import './webchat-session.js';
import './inbound-sequence.js';
import './note.js';
import './canned-response.js';
import './faq-draft.js';
import './translation-cache.js';
import './translation-usage.js';
import './email-mailbox.js';

// The bundled fallback server answers createCollection on an existing collection with an unusual
// error; collections are created implicitly on first insert and indexes with createIndexes().
mongoose.set('autoCreate', false);
mongoose.set('autoIndex', false);

export async function connectMongo(uri: string): Promise<typeof mongoose> {
  if (mongoose.connection.readyState === 1) return mongoose;
  await mongoose.connect(uri, { serverSelectionTimeoutMS: 10_000 });
  await ensureIndexes();
  return mongoose;
}

/** Create the indexes every schema declares (idempotent). */
export async function ensureIndexes(): Promise<void> {
  for (const model of Object.values(mongoose.models)) await model.createIndexes();
}

export async function disconnectMongo(): Promise<void> {
  await mongoose.disconnect();
}

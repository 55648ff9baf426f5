export { connectMongo, disconnectMongo, ensureIndexes } from './connection.js';
export { ShopModel } from './shop.js';
export { BuyerModel } from './buyer.js';
export { MessageModel } from './message.js';
export { ConversationModel } from './conversation.js';
export { OrderModel } from './order.js';
export { FaqEntryModel } from './faq-entry.js';
export { NpsAnswerModel } from './nps-answer.js';
export { NotificationModel } from './notification.js';

/** A few canned responses for the demo shop's desk (English and Spanish), inserted once each. */
import { CannedResponseModel } from '../../models/canned-response.js';

export const DEMO_CANNED = [
  {
    language: 'en',
    title: 'Greeting',
    text: 'Hi {buyer_name}, this is {agent_name} from the store team. I am looking into this for you now.',
  },
  {
    language: 'en',
    title: 'Tracking link',
    text: 'Your order {order_number} is on its way. You can follow the parcel here: {tracking_link}',
  },
  {
    language: 'en',
    title: 'Refund started',
    text: 'I have started the refund for order {order_number}. It reaches your account in 5–10 business days.',
  },
  { language: 'en', title: 'Closing', text: 'Is there anything else I can help you with? Thank you for shopping with us!' },
  { language: 'es', title: 'Saludo', text: 'Hola {buyer_name}, soy {agent_name} del equipo de la tienda. Ya estoy revisando tu caso.' },
  {
    language: 'es',
    title: 'Enlace de seguimiento',
    text: 'Tu pedido {order_number} está en camino. Puedes seguir el paquete aquí: {tracking_link}',
  },
];

export async function seedDemoCanned(shopId: string): Promise<void> {
  for (const c of DEMO_CANNED)
    await CannedResponseModel.updateOne(
      { shopId, language: c.language, title: c.title },
      { $setOnInsert: { ...c, shopId, createdBy: 'demo' } },
      { upsert: true },
    );
}

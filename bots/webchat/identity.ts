/**
 * Store-verified buyer identity: a store that knows its customer signs the customer's id with the
 * shop's identity secret, HMAC-SHA256(secret, customerId) in hex, on its own server, and hands
 * {customerId, customerHash} to the chat page. Only a correct hash makes the session that customer.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** HMAC-SHA256(secret, customerId), hex: what the store computes. */
export function customerHash(secret: string, customerId: string): string {
  return createHmac('sha256', secret).update(customerId, 'utf8').digest('hex');
}

/** Whether `given` is the customer's hash under `secret`, compared in constant time. */
export function verifyCustomerHash(secret: string, customerId: string, given: string): boolean {
  if (!/^[0-9a-f]{64}$/i.test(given)) return false;
  const expected = createHmac('sha256', secret).update(customerId, 'utf8').digest();
  return timingSafeEqual(Buffer.from(given, 'hex'), expected);
}

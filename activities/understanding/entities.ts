/** Entity extraction for the skeleton: order numbers ("order 1234", "#1234", "pedido 1234"). */
const ORDER =
  /(?:#|\b(?:order|orden|pedido|commande|encomenda|đơn(?:\s*hàng)?|pesanan|طلب|订单|คำสั่งซื้อ)\s*(?:no\.?|number|n[º°o]\.?|número|numéro|số|nomor|رقم|号)?\s*[:#]?\s*)([A-Z0-9-]{3,24})/giu;

export function extractOrderNumbers(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(ORDER)) if (/\d/.test(m[1]!)) out.add(m[1]!.toUpperCase());
  return [...out];
}

/**
 * The root-cause taxonomy (issue 17): 23 causes in 8 families. Every closed conversation is tagged
 * with one or more of these (activities/insights/root-causes.ts); agents may correct the tags in the
 * desk. Definitions are documented in docs/insights.md.
 */
export const ROOT_CAUSES = [
  'logistics.customs_delay',
  'logistics.lost_parcel',
  'logistics.slow_transit',
  'logistics.wrong_address',
  'logistics.delivery_failed',
  'product.colour_mismatch',
  'product.size_fit',
  'product.quality_defect',
  'product.not_as_described',
  'order.change',
  'order.cancel',
  'order.status',
  'payment.failed',
  'payment.method',
  'after_sales.refund_status',
  'after_sales.return_request',
  'after_sales.coupon_promotion',
  'pre_sales.product_question',
  'pre_sales.shipping_cost',
  'account.login',
  'account.privacy',
  'other.complaint',
  'other.unknown',
] as const;

export type RootCause = (typeof ROOT_CAUSES)[number];

const SET = new Set<string>(ROOT_CAUSES);
export const isRootCause = (s: string): s is RootCause => SET.has(s);

/** The family of a cause ("logistics" of "logistics.customs_delay"). */
export const familyOf = (c: string): string => c.split('.')[0]!;

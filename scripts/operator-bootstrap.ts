/**
 * The first start: with no operator credential in the database and SORA_OPERATOR_TOKEN unset, the
 * app creates the initial admin credential and prints its token once, straight to the console (never
 * through the logger or into a log file). Later starts find a credential and print nothing.
 */
import { createInitialOperatorCredential } from '../models/operator-credential.js';

export function initialTokenNotice(c: { id: string; token: string }, gatewayUrl: string): string {
  return [
    '',
    '================================================================================',
    ' Operator API: an admin credential was created for this installation.',
    ` id     ${c.id}`,
    ` token  ${c.token}`,
    '',
    ' It is shown this once only (the database keeps a hash). Keep it in a password manager.',
    ' Every /operator route needs it:',
    `   curl -H "Authorization: Bearer ${c.token}" ${gatewayUrl}/operator/health/carrier-keys`,
    ' More tokens: sora operators token create --name NAME; revoke: sora operators revoke ID.',
    '================================================================================',
    '',
  ].join('\n');
}

/**
 * Create the initial credential when there is none and no SORA_OPERATOR_TOKEN; `print` gets the
 * notice (once in the installation's life). Returns the credential id when one was created.
 */
export async function bootstrapOperatorCredential(o: {
  envTokenSet: boolean;
  gatewayUrl: string;
  print: (text: string) => void;
}): Promise<string | null> {
  if (o.envTokenSet) return null;
  const first = await createInitialOperatorCredential();
  if (!first) return null;
  o.print(initialTokenNotice(first, o.gatewayUrl));
  return first.id;
}

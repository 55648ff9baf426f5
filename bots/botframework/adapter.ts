/**
 * Bot Framework channel (botbuilder CloudAdapter): Azure Bot Service, and through it Web Chat /
 * Direct Line, Microsoft Teams, Slack, … One Azure Bot (app id) serves one shop.
 *
 *   POST /api/messages   the Azure Bot's messaging endpoint. Every request carries
 *                        `Authorization: Bearer <JWT>` signed by the Bot Connector; botbuilder
 *                        checks signature (OpenID metadata keys), issuer, audience (= our app id),
 *                        expiry and the serviceurl claim. Anything else → 401.
 *                        200 = recorded and signalled, or ignored; 503 = recorded but Temporal is
 *                        down (the connector retries; intake dedupes).
 *
 * Outbound: continueConversationAsync with the stored ConversationReference; the connector call is
 * authenticated with a token for our app id (client credentials, or managed identity).
 */
import type { NextFunction, Request, Response } from 'express';
import { ConfidentialClientApplication } from '@azure/msal-node';
import {
  ActionTypes,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  type Activity,
  type InvokeResponse,
  type TurnContext,
} from 'botbuilder';
import {
  AuthenticationConstants,
  AuthenticationError,
  MsalServiceClientCredentialsFactory,
  type ServiceClientCredentialsFactory,
} from 'botframework-connector';
import { z } from 'zod';
import { replyAddress } from '../contacts.js';
import type { ChannelAdapter, ConversationRef, GatewayContext, OutboundMessage } from '../channel.js';
import { HttpError, validationError } from '../http-errors.js';
import { botFrameworkSendError } from './errors.js';
import { normalizeActivity, type BotFrameworkGroupChats, type BotFrameworkReplyTo } from './normalize.js';

export type AppType = 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';

/**
 * Where the Bot Framework lives. The defaults are the public Azure cloud (botbuilder's
 * AuthenticationConstants); override for a sovereign/private cloud, or to run against local servers.
 */
export interface BotFrameworkEndpoints {
  /** OpenID metadata whose jwks_uri holds the keys that sign inbound requests. */
  openIdMetadataUrl?: string;
  /** `iss` of inbound tokens. */
  tokenIssuer?: string;
  /** Token authority for outbound calls (client credentials). */
  loginUrl?: string;
  /** Scope of outbound tokens (`{scope}/.default`). */
  oauthScope?: string;
}

export interface BotFrameworkOptions {
  shopId: string;
  /** Microsoft App ID of the Azure Bot. Empty only with authDisabled. */
  appId: string;
  /** Client secret (MultiTenant / SingleTenant). */
  appPassword?: string;
  appType: AppType;
  /** Required for SingleTenant and UserAssignedMSI. */
  tenantId?: string;
  /** No app id, no JWT validation, no outbound tokens: only for the local Bot Framework Emulator. */
  authDisabled?: boolean;
  groupChats?: BotFrameworkGroupChats;
  endpoints?: BotFrameworkEndpoints;
}

/** The minimum an activity needs before authentication is even attempted; the rest is botbuilder's. */
const activityShape = z.object({
  type: z.string({ required_error: 'type is required' }).min(1, 'type is required'),
  id: z.string({ required_error: 'id is required' }).min(1),
  channelId: z.string({ required_error: 'channelId is required' }).min(1),
  serviceUrl: z.string({ required_error: 'serviceUrl is required' }).url('serviceUrl must be a URL'),
  conversation: z.object({ id: z.string().min(1) }, { required_error: 'conversation is required' }),
  from: z.object({ id: z.string().min(1) }, { required_error: 'from is required' }),
  text: z.string({ invalid_type_error: 'text must be a string' }).optional(),
});

/** CloudAdapter with its request pipeline callable directly, so errors reach the gateway's error handler. */
class SoraCloudAdapter extends CloudAdapter {
  run(authHeader: string, activity: Activity, logic: (ctx: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(authHeader, activity, logic);
  }
}

/** jsonwebtoken's verify() errors, which botbuilder passes through unwrapped (bad signature, not yet valid…). */
const JWT_ERRORS = new Set(['JsonWebTokenError', 'NotBeforeError', 'TokenExpiredError']);

export class BotFrameworkAdapter implements ChannelAdapter {
  readonly id = 'botframework';
  private readonly cloud: SoraCloudAdapter;
  private log: GatewayContext['log'] = () => {};

  constructor(private readonly opts: BotFrameworkOptions) {
    if (!opts.appId && !opts.authDisabled) throw new Error('an app id is required unless authentication is disabled');
    this.cloud = new SoraCloudAdapter(botFrameworkAuthentication(opts));
  }

  async start(ctx: GatewayContext): Promise<void> {
    this.log = ctx.log;
    if (this.opts.authDisabled)
      ctx.log('botframework: AUTHENTICATION DISABLED — anyone can post to /api/messages; use only with the local Emulator');
    ctx.app.post('/api/messages', async (req: Request, res: Response, next: NextFunction) => {
      const shape = activityShape.safeParse(req.body ?? {});
      if (!shape.success) throw validationError(shape.error);
      const activity = req.body as Activity;
      const auth = req.get('authorization') ?? '';
      let answered = false;
      try {
        const invoke = await this.cloud.run(auth, activity, async (turn) => {
          const n = normalizeActivity(turn.activity, { shopId: this.opts.shopId, groupChats: this.opts.groupChats ?? 'ignore' });
          if (n.kind === 'ignore') {
            ctx.log('botframework activity ignored', { type: activity.type, channelId: activity.channelId, reason: n.reason });
            // An invoke expects an answer; without one the CloudAdapter answers 501. Acknowledge it: 200, nothing to do.
            if (turn.activity.type === 'invoke') await turn.sendActivity({ type: 'invokeResponse', value: { status: 200 } });
            return;
          }
          const result = await ctx.intake.accept(n.message);
          ctx.log('botframework message', { externalId: n.message.externalId, status: result.status, workflowId: result.workflowId });
        });
        answered = true;
        res.status(invoke?.status ?? 200);
        if (invoke?.body !== undefined) res.json(invoke.body);
        else res.end();
      } catch (e) {
        if (answered) throw e;
        next(this.requestError(e));
      }
    });
  }

  /** Authentication failures → 401 (or 503 when the signing keys could not be fetched); the rest as is. */
  private requestError(e: unknown): unknown {
    if (e instanceof AuthenticationError && (e.statusCode === 401 || e.statusCode === 403))
      return new HttpError(401, 'unauthorized', e.message);
    // The OpenID metadata / signing keys could not be fetched (refused, or network): not the caller's fault.
    if (e instanceof AuthenticationError || (e instanceof Error && e.name === 'FetchError')) {
      this.log('botframework: could not check the token', { error: e.message });
      return new HttpError(503, 'auth_unavailable', 'could not check the token now; retry later');
    }
    if (e instanceof Error && JWT_ERRORS.has(e.name)) return new HttpError(401, 'unauthorized', `invalid token: ${e.message}`);
    return e;
  }

  async send(to: ConversationRef, msg: OutboundMessage): Promise<{ externalId: string }> {
    const ref = await replyAddress<BotFrameworkReplyTo>(to);
    const activity: Partial<Activity> = { type: 'message', text: msg.text };
    if (msg.quickReplies?.length)
      activity.suggestedActions = {
        actions: msg.quickReplies.map((q) => ({ type: ActionTypes.ImBack, title: q, value: q })),
        to: ref.user?.id ? [ref.user.id] : [],
      };
    let id: string | undefined;
    try {
      await this.cloud.continueConversationAsync(this.opts.appId, ref, async (turn) => {
        id = (await turn.sendActivity(activity))?.id;
      });
    } catch (e) {
      const mapped = botFrameworkSendError(e);
      this.log('botframework send failed', { conversation: ref.conversation?.id, error: String(mapped) });
      throw mapped;
    }
    // Some channels answer without an id (e.g. the Emulator for some activities); the conversation-scoped
    // fallback still names what was sent.
    return { externalId: id ?? `${ref.conversation?.id ?? 'conversation'}:sent:${Date.now()}` };
  }

  async stop(): Promise<void> {}
}

/**
 * botbuilder's ConfigurationBotFrameworkAuthentication from our settings. With a custom login URL
 * (private cloud, local tests) the MSAL client is built here so its authority can be trusted
 * without Microsoft's instance discovery (knownAuthorities), which botbuilder's own password
 * credentials cannot do.
 */
export function botFrameworkAuthentication(o: BotFrameworkOptions): ConfigurationBotFrameworkAuthentication {
  const settings: Record<string, string> = {
    MicrosoftAppId: o.authDisabled ? '' : o.appId,
    MicrosoftAppPassword: o.authDisabled ? '' : (o.appPassword ?? ''),
    MicrosoftAppType: o.appType,
    MicrosoftAppTenantId: o.tenantId ?? '',
  };
  const e = o.endpoints ?? {};
  if (e.openIdMetadataUrl || e.tokenIssuer || e.loginUrl || e.oauthScope) {
    // botbuilder takes either none or all endpoint settings: fill the rest with the public-cloud values.
    Object.assign(settings, {
      ToBotFromChannelOpenIdMetadataUrl: e.openIdMetadataUrl ?? AuthenticationConstants.ToBotFromChannelOpenIdMetadataUrl,
      ToBotFromChannelTokenIssuer: e.tokenIssuer ?? AuthenticationConstants.ToBotFromChannelTokenIssuer,
      ToChannelFromBotLoginUrl: e.loginUrl ?? loginUrlOf(o),
      ToChannelFromBotOAuthScope: e.oauthScope ?? AuthenticationConstants.ToChannelFromBotOAuthScope,
      ToBotFromEmulatorOpenIdMetadataUrl: AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
      OAuthUrl: AuthenticationConstants.OAuthUrl,
      CallerId: 'urn:botframework:azure',
    });
  }
  let credentials: ServiceClientCredentialsFactory;
  if (e.loginUrl && !o.authDisabled && o.appType !== 'UserAssignedMSI') {
    const authority = new URL(e.loginUrl);
    const msal = new ConfidentialClientApplication({
      auth: { clientId: o.appId, clientSecret: o.appPassword ?? '', authority: e.loginUrl, knownAuthorities: [authority.host] },
    });
    // The ESM and CommonJS typings of msal-node are distinct declarations of the same class.
    credentials = new MsalServiceClientCredentialsFactory(
      o.appId,
      msal as unknown as ConstructorParameters<typeof MsalServiceClientCredentialsFactory>[1],
    );
  } else credentials = new ConfigurationServiceClientCredentialFactory(settings);
  return new ConfigurationBotFrameworkAuthentication(settings, credentials);
}

function loginUrlOf(o: BotFrameworkOptions): string {
  return o.appType === 'SingleTenant' && o.tenantId
    ? `${AuthenticationConstants.ToChannelFromBotLoginUrlPrefix}${o.tenantId}`
    : AuthenticationConstants.ToChannelFromBotLoginUrl;
}

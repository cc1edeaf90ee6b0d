/**
 * How a write is confirmed, per call (KEP-936 two-phase confirmation with the user in the loop).
 * Where the client declares form elicitation and the policy allows it, the server asks the user
 * through the SDK's multi-round-trip mechanism: the handler returns an input-required result; on
 * 2026-07-28 the client asks the user and calls again with the answer, on 2025-11-25 the SDK's shim
 * sends `elicitation/create` and re-enters the handler. Either way the answer comes back with a
 * requestState we minted (HMAC-sealed, ten minutes): the tool, the caller and the digest of the
 * plan the user saw. Elsewhere the `confirmed` argument decides, unless the policy requires the user.
 */
import { randomBytes } from 'node:crypto';
import { createRequestStateCodec, inputRequired, inputResponse, type Server, type ServerContext } from '@modelcontextprotocol/server';
import { redactText } from '../audit/secrets.js';
import type { Identity } from '../auth/identity.js';
import type { ConfirmationSetting } from '../policy/policy.js';
import type { Answer, Confirmation } from '../tools/mutation.js';
import { clientCapabilities } from './clientCapabilities.js';

/** What a requestState carries: which plan, shown to whom. */
interface Shown {
  tool: string;
  user: string;
  digest: string;
  pin?: Record<string, unknown>;
}

const CONFIRM = 'confirm';

/**
 * One key per process: every serving unit of this process (each HTTP request builds its own server)
 * can verify what another minted. A restart invalidates pending confirmations, which is safe.
 */
const codec = createRequestStateCodec<Shown>({ key: randomBytes(32), ttlSeconds: 600 });

/** Server option: requestState that fails verification is refused before any handler runs. */
export const requestStateVerification = { verify: (state: string, ctx: ServerContext) => codec.verify(state, ctx) };

export function confirmationFor(setting: ConfirmationSetting, server: Server, ctx: ServerContext, tool: string, caller: Identity): Confirmation {
  const via = setting === 'argument' ? 'argument' : canAsk(server, ctx) ? 'user' : setting === 'require-user' ? 'unavailable' : 'argument';
  return {
    via,
    async answer(): Promise<Answer | undefined> {
      const response = inputResponse(ctx.mcpReq.inputResponses, CONFIRM);
      if (response.kind !== 'elicit') return undefined;
      const shown = ctx.mcpReq.requestState<Shown>();
      // An answer without our state (or for another tool or caller) answers nothing: ask again.
      if (!shown || typeof shown !== 'object' || shown.tool !== tool || shown.user !== caller.user) return undefined;
      return { action: response.action, digest: shown.digest, pin: shown.pin };
    },
    async ask(message, digest, pin) {
      return inputRequired({
        inputRequests: { [CONFIRM]: inputRequired.elicit({ message: redactText(message), requestedSchema: { type: 'object', properties: {} } }) },
        requestState: await codec.mint({ tool, user: caller.user, digest, ...(pin ? { pin } : {}) }),
      });
    },
  };
}

/** Form elicitation declared: `elicitation: {}` (form implied) or `elicitation: { form: {} }`. */
function canAsk(server: Server, ctx: ServerContext): boolean {
  const e = clientCapabilities(server, ctx)?.elicitation as { form?: object; url?: object } | undefined;
  return Boolean(e && (e.form || !e.url));
}

// The finished interaction of a request that oidc-provider resumes in place (src/oidc/resume-in-place.ts),
// kept on that request instead of written: the resume reads the interaction by its uid and deletes it at
// once, so writing its result to the store first would be a write undone in the same response (one
// document write per login). The store adapter's `find` answers the resume from here; any other request
// (another instance included) still reads the store, where the interaction stays as it was saved when it
// began. If the resume never runs (the response failed first), the sign-in has no result anywhere and the
// browser starts again, as after any failure before the result was saved.

import type { Interaction, AdapterPayload } from 'oidc-provider';
import type { IncomingMessage } from 'node:http';
import { requestMemo } from '../http/request-memo.ts';
import { copyJson } from '../store/copy-json.ts';

interface HeldInteraction {
  uid: string;
  payload: AdapterPayload;
}

const held = requestMemo<HeldInteraction>((h) => h.uid);

/** oidc-provider's own serialisation of a model (what `save` hands the adapter); not in its type declarations. */
interface Serialisable {
  getValueAndPayload(): Promise<{ payload: AdapterPayload }>;
}

export const interactionInRequest = {
  /** Keeps the interaction, as `save` would have written it, for the resume this request runs. */
  async keep(req: IncomingMessage, interaction: Interaction): Promise<void> {
    const { payload } = await (interaction as unknown as Serialisable).getValueAndPayload();
    held.keep(req, { uid: interaction.uid, payload: copyJson(payload) });
  },
  /** The kept payload of interaction `uid` (a copy oidc-provider may change), when this request holds it. */
  get(req: IncomingMessage | undefined, uid: string): AdapterPayload | undefined {
    const found = held.get(req, uid);
    return found ? copyJson(found.payload) : undefined;
  },
  /** The interaction was deleted: this request no longer answers for it. */
  forget(req: IncomingMessage | undefined, uid: string): void {
    held.forget(req, uid);
  },
};

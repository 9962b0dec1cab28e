// Refusals of the abuse limits (password attempts, sign-ins in progress, client authentication) are
// answered after a short pause. A client flooding in a closed loop — waiting for each answer, as scripts
// and browsers do — then slows to its concurrency per pause instead of as fast as the gateway can refuse,
// and a paused request costs a timer, no CPU. The pause is the same whoever is refused, so it tells nothing.

export const REFUSAL_PAUSE_MS = 1000;

/** Runs `answer` after the refusal pause. */
export function afterPause(answer: () => void): void {
  setTimeout(answer, REFUSAL_PAUSE_MS).unref();
}

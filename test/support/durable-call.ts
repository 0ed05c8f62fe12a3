/** Running calls through a DurableState as the server does. */
import type { DurableState } from '../../src/server/durable.js';

/** Sets the call's time, calls the service, journals the call with its RequestId; the answer. */
export async function journaledCall(state: DurableState, action: string, params: Record<string, unknown>): Promise<Record<string, any>> {
  const time = new Date();
  state.setTime(time);
  const answer = state.service.call(action, params);
  await state.append(action, params, time, String(answer.RequestId));
  return answer;
}

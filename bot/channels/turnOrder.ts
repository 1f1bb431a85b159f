/**
 * Runs the turns of one conversation one after another. Two quick messages from one member
 * would otherwise read the same dialog state and the second save would overwrite the first
 * (botbuilder writes state with eTag "*", so no conflict is ever detected). Turns of different
 * conversations still run side by side.
 */
export interface TurnOrder {
  run<T>(conversationKey: string, turn: () => Promise<T>): Promise<T>;
}

export function createTurnOrder(): TurnOrder {
  const lastTurn = new Map<string, Promise<unknown>>();
  return {
    run(conversationKey, turn) {
      const previous = lastTurn.get(conversationKey) ?? Promise.resolve();
      const result = previous.then(turn, turn);
      const settled = result.catch(() => undefined);
      lastTurn.set(conversationKey, settled);
      // The map holds only conversations with a turn under way.
      void settled.then(() => {
        if (lastTurn.get(conversationKey) === settled) lastTurn.delete(conversationKey);
      });
      return result;
    },
  };
}

import { setOptOut } from "../domain/attendance.js";
import {
  countAttempt,
  findInbound,
  finishInbound,
  giveUpInbound,
  journalInbound,
  MAX_ATTEMPTS,
  unfinishedInbound,
} from "../domain/inboundJournal.js";
import { ensureParticipant, findParticipantByPhone } from "../domain/participants.js";
import type { Logger } from "../logger.js";
import { matchTwilioKeyword } from "../nlu/keywords.js";
import type { Outbound } from "../outbound/outbound.js";
import type { Store } from "../store/store.js";
import type { RunTurn } from "./runTurn.js";
import type { TurnOrder } from "./turnOrder.js";
import { SMS_CHANNEL_ID, type InboundSms, type SmsAdapter } from "./smsAdapter.js";

export interface InboundSmsTurns {
  /**
   * Journals the message durably, runs its turn and returns the replies for the TwiML. A
   * redelivered sid gets none: its turn ran, or runs, once.
   */
  receive(sms: InboundSms & { optOutType?: string }): Promise<string[]>;
  /** Runs the turns a crash left unfinished; their replies go out as outbound SMS. */
  recoverUnfinished(): Promise<number>;
}

export function createInboundSmsTurns(deps: {
  store: Store;
  adapter: SmsAdapter;
  runTurn: RunTurn;
  turnOrder: TurnOrder;
  outbound: Pick<Outbound, "recordReplies" | "sendSms">;
  clock: () => Date;
  logger: Logger;
}): InboundSmsTurns {
  const { store, logger } = deps;
  const running = new Set<string>();

  /** The turn and the journal's done mark are one commit. */
  async function runJournaled(
    sms: InboundSms & { optOutType?: string },
    replyIn: "twiml" | "outbound-sms",
  ): Promise<string[]> {
    return deps.turnOrder.run(`${SMS_CHANNEL_ID}/${sms.from}`, () => runTurnOnce(sms, replyIn));
  }

  async function runTurnOnce(
    sms: InboundSms & { optOutType?: string },
    replyIn: "twiml" | "outbound-sms",
  ): Promise<string[]> {
    return store.runTurn(async () => {
      const attempt = await store.update((data) => countAttempt(data, sms.messageSid));
      if (attempt > MAX_ATTEMPTS) {
        await store.update((data) => giveUpInbound(data, sms.messageSid, deps.clock()));
        logger.error(
          { sid: sms.messageSid, attempts: attempt - 1 },
          "sms turn failed every time; handed to the organizers",
        );
        return [];
      }
      const keyword = matchTwilioKeyword(sms.body, sms.optOutType);
      const replies = keyword ? [] : await deps.adapter.processSms(sms, deps.runTurn);
      if (keyword === "optout" || keyword === "optin")
        await recordTwilioOptOut(sms.from, keyword === "optout");
      if (replyIn === "twiml") await deps.outbound.recordReplies({ to: sms.from, bodies: replies });
      await store.update((data) => finishInbound(data, sms.messageSid, deps.clock()));
      return replies;
    });
  }

  /** Twilio has answered and blocked (or unblocked) the number itself; we keep the record in step. */
  async function recordTwilioOptOut(phone: string, optedOut: boolean): Promise<void> {
    await store.update((data) => {
      // A stranger's STOP is kept too, so a later import of their number does not message them.
      const participant = optedOut
        ? ensureParticipant(data, { channel: SMS_CHANNEL_ID, key: phone }, deps.clock()).participant
        : findParticipantByPhone(data, phone);
      if (participant)
        setOptOut(data, participant.id, optedOut, { actor: "member", channel: SMS_CHANNEL_ID }, deps.clock());
    });
  }

  return {
    async receive(sms) {
      const known = findInbound(store.data, sms.messageSid);
      if (known || running.has(sms.messageSid)) {
        logger.info({ sid: sms.messageSid }, "duplicate sms webhook");
        return [];
      }
      running.add(sms.messageSid);
      try {
        await store.update((data) =>
          journalInbound(
            data,
            { sid: sms.messageSid, channel: SMS_CHANNEL_ID, from: sms.from, body: sms.body },
            deps.clock(),
          ),
        );
        return await runJournaled(sms, "twiml");
      } finally {
        running.delete(sms.messageSid);
      }
    },

    async recoverUnfinished() {
      const unfinished = unfinishedInbound(store.data);
      for (const entry of unfinished) {
        if (!entry.from) continue;
        const sms = { messageSid: entry.sid, from: entry.from, to: "", body: entry.body ?? "" };
        logger.info({ sid: entry.sid }, "running an sms turn that a restart interrupted");
        const replies = await runJournaled(sms, "outbound-sms");
        for (const body of replies) await deps.outbound.sendSms({ to: sms.from, body, purpose: "reply" });
      }
      return unfinished.length;
    },
  };
}

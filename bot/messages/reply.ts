/**
 * What the bot says, before it is shaped for a channel. SMS shows `text` alone (the text itself
 * tells the member what to answer); chat channels add `buttons` as an Adaptive Card.
 */
export interface Reply {
  text: string;
  buttons?: ReplyButton[];
}

export interface ReplyButton {
  title: string;
  /** Sent back as the member's message when the button is pressed. */
  value: string;
}

/** What a child dialog hands back to the main dialog: a message it could not take, to route as new. */
export interface ChildResult {
  reroute?: string;
}

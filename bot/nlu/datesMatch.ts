/** Whether an expected date/datetime `covers` an extracted one: equal, or a date-only expectation of the same day. */
function covers(expected: string, actual: string): boolean {
  return expected === actual || (expected.length === 10 && actual.startsWith(`${expected}T`));
}

/**
 * The evaluation's scoring rule: the lists match as sets, where an expected date without a time
 * accepts any extracted datetime on that date, and every extracted value must be expected.
 */
export function datesMatch(expected: string[], actual: string[]): boolean {
  return (
    expected.every((wanted) => actual.some((got) => covers(wanted, got))) &&
    actual.every((got) => expected.some((wanted) => covers(wanted, got)))
  );
}

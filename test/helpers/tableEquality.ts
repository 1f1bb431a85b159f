import { expect } from "vitest";
import { Table } from "../../bot/store/table.js";

/*
 * A store table keeps its rows in chunks; what a test means by `toEqual([...])` is its rows in
 * order. The chunks themselves are checked in test/store/table.test.ts.
 */
expect.addEqualityTesters([
  function tableEqualsRows(a: unknown, b: unknown, customTesters) {
    if (!(a instanceof Table) && !(b instanceof Table)) return undefined;
    const rows = (value: unknown) => (value instanceof Table ? value.toArray() : value);
    return this.equals(rows(a), rows(b), customTesters);
  },
]);

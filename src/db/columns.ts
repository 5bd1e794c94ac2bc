/**
 * Every column of a table, each named, for the hot reads that would otherwise select `table.*`: a
 * statement whose columns are named can be prepared (ADR 0036), one with `*` cannot. The list is
 * checked twice: the compiler refuses a column the table's type does not have, or one of its columns
 * left out, and test/integration/columns.test.ts compares each list with the database's own columns.
 *
 *   const decisionColumns = everyColumn<SharingDecisionsTable>()('sharing_decisions', ['id', ...]);
 *   db.selectFrom('sharing_decisions').select(decisionColumns)
 */

/** Each table whose columns are listed, with its list: what the test compares with the database. */
export const listedColumns = new Map<string, readonly string[]>();

/** The table's columns the list leaves out; `never` when none. */
type LeftOut<Table, Columns extends readonly string[]> = Exclude<keyof Table & string, Columns[number]>;

export function everyColumn<Table>() {
  return <const Name extends string, const Columns extends readonly (keyof Table & string)[]>(
    table: Name,
    columns: Columns &
      ([LeftOut<Table, Columns>] extends [never] ? unknown : { leftOut: LeftOut<Table, Columns> }),
  ): readonly `${Name}.${Columns[number]}`[] => {
    listedColumns.set(table, columns);
    return columns.map((column) => `${table}.${column}` as `${Name}.${Columns[number]}`);
  };
}

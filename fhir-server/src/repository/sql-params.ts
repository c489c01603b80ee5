/** Collects query parameters and hands out their placeholders: values never enter SQL text. */
export interface SqlParams {
  readonly values: unknown[];
  add(value: unknown): string;
}

export function sqlParams(): SqlParams {
  const values: unknown[] = [];
  return {
    values,
    add(value) {
      values.push(value);
      return `$${values.length}`;
    },
  };
}

/** PostgreSQL accepts at most 65,535 parameters in one statement; stay well below. */
export const MAX_PARAMS = 30_000;

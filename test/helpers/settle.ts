/** A promise's outcome as a value: what it resolved with, or what it rejected with (so a test can assert on either). */
export const settle = <T>(promise: Promise<T>): Promise<unknown> =>
  promise.then(
    (value) => value,
    (error: unknown) => error,
  );

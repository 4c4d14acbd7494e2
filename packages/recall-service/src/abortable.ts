/**
 * Settles with `promise`, or rejects with the signal's reason as soon as `signal` aborts, without
 * waiting for `promise` (a read stuck on a FIFO never settles). A value that arrives after the abort
 * is handed to `discard` so it can be freed.
 */
export function abortable<T>(options: {
  /** The work. */
  promise: Promise<T>;
  /** Stops the wait. */
  signal: AbortSignal;
  /** Frees a value that arrived too late. */
  discard?: (value: T) => void;
}): Promise<T> {
  const { promise, signal, discard } = options;
  if (signal.aborted) {
    promise.then(
      (value) => discard?.(value),
      () => undefined,
    );
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const onAbort = (): void => {
      settled = true;
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (settled) discard?.(value);
        else resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        if (!settled) reject(error);
      },
    );
  });
}

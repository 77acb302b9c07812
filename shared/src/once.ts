/**
 * A value built on first use, then the same one each time: the input schemas are built this way, so a
 * function's cold start builds its own operation's schema and no other (zod 4 spends ~9 ms and ~0.8
 * MiB of heap building all of them on the Lambda Node; docs/performance.md, "Cold start").
 *
 * @example const userRef = once(() => z.strictObject({ userid: userid() }));
 */
export function once<T>(build: () => T): () => T {
  let built: { readonly value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}

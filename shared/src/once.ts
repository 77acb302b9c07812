/**
 * A value built on first use, then the same one each time. The input schemas are built this way, so
 * that a function's cold start builds its own operation's schema and no other (zod 4 spends ~9 ms and
 * ~0.8 MiB of heap building all of them on the Lambda Node; docs/performance.md, "Cold start"), and
 * so are the contact callback's AWS clients, made only when a change is stored or published.
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

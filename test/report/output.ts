/**
 * Captures what the process writes, as Lambda would ship it to CloudWatch Logs. Powertools writes
 * straight to process.stdout (info, EMF) and process.stderr (warn, error), bypassing vitest's console
 * capture; both streams are recorded together, in order.
 */
import { vi } from 'vitest';

export interface CapturedOutput {
  /** Everything written, for scanning. */
  text(): string;
  /** The lines that are JSON objects: log lines and EMF documents. */
  json(): Array<Record<string, unknown>>;
  restore(): void;
}

export function captureOutput(): CapturedOutput {
  const chunks: string[] = [];
  const record = ((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(record),
    vi.spyOn(process.stderr, 'write').mockImplementation(record),
  ];
  const text = () => chunks.join('');
  return {
    text,
    json: () =>
      text()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    restore: () => {
      for (const spy of spies) spy.mockRestore();
    },
  };
}

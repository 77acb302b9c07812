/**
 * De-duplication of deliveries. WeCom retries a callback up to three times and events carry no id, so
 * the key is a hash of the decrypted XML (the ciphertext differs between retries: its random prefix
 * may be new). A claim succeeds once per key within the window; a claim is released when the event
 * could not be published, so that WeCom's retry publishes it.
 */
import { createHash } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';

export interface DedupStore {
  /** True when this key was not claimed within the window (the caller publishes), false for a duplicate. */
  claim(key: string): Promise<boolean>;
  /** Forgets a claim whose event could not be published. */
  release(key: string): Promise<void>;
}

/**
 * One day: WeCom's retries come within seconds, and the same XML cannot be a new change (it carries
 * CreateTime), so a long window costs nothing and also absorbs replays of a captured delivery.
 * @default 86_400
 */
export const DEFAULT_DEDUP_WINDOW_SECONDS = 86_400;

export const dedupKey = (plaintext: string) => createHash('sha256').update(plaintext, 'utf8').digest('hex');

/** Local mode and tests: claims held in memory. */
export class MemoryDedupStore implements DedupStore {
  private readonly claims = new Map<string, number>();
  constructor(
    private readonly windowSeconds = DEFAULT_DEDUP_WINDOW_SECONDS,
    private readonly clock: () => number = Date.now,
  ) {}

  async claim(key: string): Promise<boolean> {
    const now = this.clock();
    const expiry = this.claims.get(key);
    if (expiry !== undefined && expiry > now) return false;
    this.claims.set(key, now + this.windowSeconds * 1000);
    return true;
  }

  async release(key: string): Promise<void> {
    this.claims.delete(key);
  }
}

/**
 * A DynamoDB table keyed on `pk` (string) with TTL on `expiresAt` (epoch seconds). The claim is a
 * conditional put; TTL deletes lazily (up to days late), so an expired item counts as absent.
 */
export class DynamoDbDedupStore implements DedupStore {
  constructor(
    private readonly dynamodb: () => DynamoDBClient,
    private readonly tableName: string,
    private readonly windowSeconds = DEFAULT_DEDUP_WINDOW_SECONDS,
    private readonly clock: () => number = Date.now,
  ) {}

  async claim(key: string): Promise<boolean> {
    const now = Math.floor(this.clock() / 1000);
    try {
      await this.dynamodb().send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { pk: { S: key }, expiresAt: { N: String(now + this.windowSeconds) } },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
          ExpressionAttributeValues: { ':now': { N: String(now) } },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async release(key: string): Promise<void> {
    await this.dynamodb().send(new DeleteItemCommand({ TableName: this.tableName, Key: { pk: { S: key } } }));
  }
}

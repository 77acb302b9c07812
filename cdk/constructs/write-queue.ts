/**
 * An SQS queue (with its dead-letter queue) feeding one write function: HR sync jobs send one write
 * operation per message. The function answers with partial batch failures, so only the records that
 * failed with a retryable error come back; after MAX_RECEIVES they rest in the dead-letter queue.
 */
import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption, type QueueProps } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface WriteQueueProps {
  /** The write function that takes the queue's messages. */
  readonly consumer: IFunction;
  /**
   * The consumer's timeout: the visibility timeout is six times it.
   * @example DEFAULT_TIMEOUT (25 s)
   */
  readonly consumerTimeout: Duration;
  /**
   * Concurrent invocations of the consumer from this queue (the arithmetic: cdk/concurrency.ts, docs/operations.md "Scale").
   * @example 4
   */
  readonly maxConcurrency: number;
  /**
   * Records per invocation.
   * @example WRITE_BATCH_SIZE
   */
  readonly batchSize: number;
}

/**
 * Receives before a message goes to the dead-letter queue. A 45009 (limit reached) blocks the API for
 * the rest of WeCom's minute; with the visibility timeout below, 5 receives span over 10 minutes.
 */
const MAX_RECEIVES = 5;

/** Encrypted at rest (SQS-managed keys) and reachable over TLS only: the shared settings of every queue. */
export const secureQueue = (scope: Construct, id: string, props: QueueProps = {}): Queue =>
  new Queue(scope, id, { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, ...props });

/** A dead-letter queue keeps its messages for SQS's maximum, 14 days, for an operator to inspect and redrive. */
export const deadLetterQueue = (scope: Construct, id: string): Queue =>
  secureQueue(scope, id, { retentionPeriod: Duration.days(14) });

export class WriteQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: WriteQueueProps) {
    super(scope, id);
    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetterQueue');
    this.queue = secureQueue(this, 'Queue', {
      // AWS's advice for Lambda consumers: six times the function timeout, so that a message is not
      // delivered again while a throttled or retrying invocation still holds it.
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVES },
    });
    props.consumer.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: props.batchSize,
        reportBatchItemFailures: true,
        maxConcurrency: props.maxConcurrency,
      }),
    );
  }
}

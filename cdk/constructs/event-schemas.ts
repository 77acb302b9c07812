/**
 * The event catalogue in the EventBridge schema registry (docs/events.md, "Schema registry"): one
 * registry named after the bus, one schema per detail-type (`wecom.contact@MemberCreated`, the naming
 * of schemas EventBridge discovers), written as JSON Schema draft 4 from the same zod schemas as
 * docs/events/schemas/. Subscribers find them in the console and download code bindings.
 */
import { CfnRegistry, CfnSchema } from 'aws-cdk-lib/aws-eventschemas';
import { Construct } from 'constructs';
import { ALL_DETAIL_TYPES, registryJsonSchema } from '#shared/callback/detail-schemas.ts';
import { EVENT_SOURCE } from '#shared/callback/events.ts';

export interface EventSchemasProps {
  /** The registry's name: the bus's, so the two are found together. */
  readonly registryName: string;
}

/** `Member created` → `wecom.contact@MemberCreated` (schema names allow no spaces). */
const registrySchemaName = (detailType: string) =>
  `${EVENT_SOURCE}@${detailType
    .split(' ')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('')}`;

export class EventSchemas extends Construct {
  readonly registry: CfnRegistry;
  readonly schemas: readonly CfnSchema[];

  constructor(scope: Construct, id: string, props: EventSchemasProps) {
    super(scope, id);
    this.registry = new CfnRegistry(this, 'Registry', {
      registryName: props.registryName,
      description: `Directory change events (${EVENT_SOURCE}): one schema per detail-type`,
    });
    this.schemas = ALL_DETAIL_TYPES.map((detailType) => {
      const schema = new CfnSchema(this, registrySchemaName(detailType).replace(/[^A-Za-z]/g, ''), {
        registryName: props.registryName,
        schemaName: registrySchemaName(detailType),
        type: 'JSONSchemaDraft4',
        description: `${detailType}: the event as a rule's target receives it`,
        content: JSON.stringify(registryJsonSchema(detailType)),
      });
      schema.addDependency(this.registry);
      return schema;
    });
  }
}

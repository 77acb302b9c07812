/** The event schemas in the EventBridge schema registry (cdk/constructs/event-schemas.ts), opt-in. */
import { beforeAll, describe, expect, it } from 'vitest';
import { ALL_DETAIL_TYPES, DETAIL_SCHEMAS } from '#shared/callback/detail-schemas.ts';
import { DETAIL_TYPES } from '#shared/callback/events.ts';
import { resourcesOfType, type Synthesized, synthesize } from './synth.ts';
import { DEFAULTS, EVERYTHING } from './variants.ts';

let defaults: Synthesized;
let registered: Synthesized;

beforeAll(() => {
  defaults = synthesize(DEFAULTS);
  registered = synthesize(EVERYTHING);
});

const schemasOf = (synthesized: Synthesized) =>
  resourcesOfType(synthesized, 'AWS::EventSchemas::Schema').map(([, resource]) => resource);

describe('event schema registry', () => {
  it('is off by default: no registry, no schema', () => {
    expect(resourcesOfType(defaults, 'AWS::EventSchemas::Registry')).toEqual([]);
    expect(schemasOf(defaults)).toEqual([]);
  });

  it('when on: a registry named after the bus, one draft-4 schema per detail-type, created after it', () => {
    const [[, bus] = []] = resourcesOfType(registered, 'AWS::Events::EventBus');
    const busName = bus?.Properties.Name;
    expect(busName).toMatch(/^wecom-contact-/);
    const [[registryId, registry] = []] = resourcesOfType(registered, 'AWS::EventSchemas::Registry');
    expect(registry?.Properties.RegistryName).toBe(busName);

    const schemas = schemasOf(registered);
    expect(schemas.map(({ Properties }) => Properties.SchemaName).sort()).toEqual(
      [
        'wecom.contact@BatchJobFinished',
        'wecom.contact@DepartmentCreated',
        'wecom.contact@DepartmentDeleted',
        'wecom.contact@DepartmentUpdated',
        'wecom.contact@MemberCreated',
        'wecom.contact@MemberDeleted',
        'wecom.contact@MemberUpdated',
        'wecom.contact@TagMembersChanged',
      ].sort(),
    );
    for (const schema of schemas) {
      expect(schema.Properties).toMatchObject({ RegistryName: busName, Type: 'JSONSchemaDraft4' });
      expect(schema.DependsOn).toContain(registryId);
      expect(String(schema.Properties.SchemaName)).toMatch(/^[A-Za-z0-9\-_.@]+$/);
    }
    expect(schemas).toHaveLength(ALL_DETAIL_TYPES.length);
  });

  it('holds the whole event: source and detail-type fixed, detail as draft 4 of the same schema', () => {
    const content = (name: string) => {
      const schema = schemasOf(registered).find(({ Properties }) => Properties.SchemaName === name);
      return JSON.parse(String(schema?.Properties.Content)) as {
        $schema: string;
        required: string[];
        properties: Record<string, { enum?: string[]; properties?: Record<string, unknown> }>;
      };
    };
    const tag = content('wecom.contact@TagMembersChanged');

    expect(tag.$schema).toBe('http://json-schema.org/draft-04/schema#');
    expect(tag.required).toEqual(['source', 'detail-type', 'detail']);
    expect(tag.properties.source?.enum).toEqual(['wecom.contact']);
    expect(tag.properties['detail-type']?.enum).toEqual([DETAIL_TYPES.update_tag]);
    // Draft 4 has no `const`: the change type is a one-value enum.
    expect(tag.properties.detail?.properties?.changeType).toEqual({ type: 'string', enum: ['update_tag'] });
    expect(Object.keys(tag.properties.detail?.properties ?? {}).sort()).toEqual(
      Object.keys(DETAIL_SCHEMAS['Tag members changed'].shape).sort(),
    );
    expect(JSON.stringify(tag)).not.toContain('"const"');
  });
});

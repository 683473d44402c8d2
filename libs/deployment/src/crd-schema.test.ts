import { strictSchema } from './crd-schema';

describe('strictSchema', () => {
  it('closes objects with properties and leaves open ones open', () => {
    const schema = {
      type: 'object',
      properties: {
        spec: { type: 'object', properties: { a: { type: 'string' } } },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { b: { type: 'string' } } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
      },
    };
    expect(strictSchema(schema)).toEqual({
      type: 'object',
      additionalProperties: false,
      properties: {
        spec: { type: 'object', additionalProperties: false, properties: { a: { type: 'string' } } },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { b: { type: 'string' } } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
      },
    });
  });

  it('accepts strings and integers for int-or-string fields', () => {
    expect(strictSchema({ 'x-kubernetes-int-or-string': true, type: 'string' })).toEqual({
      'x-kubernetes-int-or-string': true,
      oneOf: [{ type: 'string' }, { type: 'integer' }],
    });
  });
});

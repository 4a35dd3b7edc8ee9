import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { OpenAPIObject } from '@nestjs/swagger';

type Json = Record<string, unknown>;

/** OpenAPI 3.0's `nullable` as JSON Schema: `anyOf` the schema and null. */
function toJsonSchema(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toJsonSchema);
  if (!value || typeof value !== 'object') return value;
  const { nullable, example: _example, ...rest } = value as Json;
  const converted = Object.fromEntries(
    Object.entries(rest).map(([k, v]) => [k, k === 'properties' ? Object.fromEntries(Object.entries(v as Json).map(([p, s]) => [p, toJsonSchema(s)])) : toJsonSchema(v)]),
  );
  if (nullable !== true) return converted;
  if (Array.isArray(converted.enum) && !converted.enum.includes(null)) converted.enum = [...converted.enum, null];
  return { anyOf: [converted, { type: 'null' }] };
}

interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
}

/**
 * Checks real answers against the service's own OpenAPI document: the status must be one the
 * operation declares, and a JSON body must match the declared schema. Requests to paths the
 * document does not describe (metrics, the acknowledgement pages, unknown paths) are not checked.
 */
export class OpenApiResponseChecker {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly routes: Route[];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(document: OpenAPIObject) {
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: 'vigie-openapi', components: toJsonSchema(document.components) });
    this.routes = Object.entries(document.paths)
      .flatMap(([template, item]) =>
        Object.entries(item)
          .filter(([method]) => ['get', 'put', 'post', 'patch', 'delete'].includes(method))
          .map(([method, op]) => ({
            method: method.toUpperCase(),
            template,
            pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+')}$`),
            responses: (op as { responses: Route['responses'] }).responses,
          })),
      )
      // A literal segment wins over a parameter: fewer parameters first.
      .sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0));
  }

  /** The problem with this answer, or null when it matches the document (or is not described by it). */
  problem(method: string, url: string, status: number, contentType: string | undefined, body: unknown): string | null {
    const path = new URL(url, 'http://localhost').pathname;
    const route = this.routes.find((r) => r.method === method.toUpperCase() && r.pattern.test(path));
    if (!route) return null;
    const name = `${route.method} ${route.template} → ${status}`;
    const declared = route.responses[String(status)];
    if (!declared) return `${name}: this status is not declared in /openapi.json`;
    const schema = declared.content?.['application/json']?.schema;
    if (!contentType?.startsWith('application/json')) {
      // Another media type the operation declares (text/csv): its body is not checked further.
      const mediaType = contentType?.split(';')[0].trim();
      if (mediaType && declared.content?.[mediaType]) return null;
      return schema ? `${name}: declared as JSON, answered ${contentType ?? 'no body'}` : null;
    }
    if (!schema) return `${name}: answered JSON, but the document declares no body`;
    const key = `${route.method} ${route.template} ${status}`;
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(JSON.parse(JSON.stringify(toJsonSchema(schema)).replace(/"#\/components\//g, '"vigie-openapi#/components/')) as object);
      this.validators.set(key, validate);
    }
    if (validate(body)) return null;
    return `${name}: the body does not match the document: ${this.ajv.errorsText(validate.errors, { dataVar: 'body' })}`;
  }
}

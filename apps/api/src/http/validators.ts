import { Injectable, PipeTransform } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { registerDecorator, ValidateIf, ValidationOptions } from 'class-validator';
import { DomainError } from '@vigie/domain';

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isTimestamp(value: unknown): value is string {
  return typeof value === 'string' && TIMESTAMP.test(value) && !Number.isNaN(Date.parse(value)) && realCalendarDate(value.slice(0, 10));
}

/** `YYYY-MM-DD`, a date that exists. */
export function isCalendarDate(value: unknown): value is string {
  return typeof value === 'string' && realCalendarDate(value);
}

function realCalendarDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return y >= 1900 && date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** ISO 8601 date-time with an offset (`Z` or `±hh:mm`), a real calendar date. */
export function IsTimestamp(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isTimestamp',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'must be an ISO 8601 date-time with an offset, e.g. 2026-11-28T10:15:00Z', ...options },
      validator: { validate: isTimestamp },
    });
}

/** `YYYY-MM-DD`, a date that exists. */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isCalendarDate',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'must be a date YYYY-MM-DD that exists', ...options },
      validator: { validate: isCalendarDate },
    });
}

/**
 * An optional field that may be left out but not sent as `null`: unlike @IsOptional(), the
 * field's other validators run on `null` and refuse it. For fields whose `null` would erase a
 * value the record cannot be without, or would be ignored without saying so.
 */
export function IsOptionalNotNull(): PropertyDecorator {
  return ValidateIf((_object: unknown, value: unknown) => value !== undefined);
}

/** Every element is one of the codes (unknown codes are a 400). */
export function IsCodeList(codes: readonly string[], options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isCodeList',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `must contain only these codes: ${codes.join(', ')}`, ...options },
      validator: { validate: (value: unknown) => Array.isArray(value) && value.every((v) => typeof v === 'string' && codes.includes(v)) },
    });
}

/** Path ids: a malformed one is a 400, never a database error. */
@Injectable()
export class UuidPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!UUID.test(value)) throw DomainError.invalid('id', 'must be a UUID');
    return value.toLowerCase();
  }
}

export class IdParam {
  @ApiProperty({ format: 'uuid' })
  id: string;
}

export function toDate(value: string): Date;
export function toDate(value: string | undefined | null): Date | null;
export function toDate(value: string | undefined | null): Date | null {
  return value ? new Date(value) : null;
}

/**
 * Data-layer errors are data: a stable code, a message, and the HTTP status a
 * caller should map them to. The codes and messages live in the Livery-wide
 * registry (`server/errors.ts`); this is the data layer's view of them.
 */
import { errors, LiveryError } from '../errors.ts';

export const DATA_ERRORS = {
  /** No tenant (undefined, null, '' or blank) reached a tenant-scoped entry point. */
  LV_TENANT_REQUIRED: errors.LV_TENANT_REQUIRED,
  /** Data names a tenant other than the one the EntityManager is scoped to. */
  LV_TENANT_MISMATCH: errors.LV_TENANT_MISMATCH,
  /** A tenant-scoped helper was used with an entity that is not tenant-owned. */
  LV_NOT_TENANT_OWNED: errors.LV_NOT_TENANT_OWNED,
  /** A data helper was handed an entity the database was not opened with (`database.entities`). */
  LV_ENTITY_NOT_REGISTERED: errors.LV_ENTITY_NOT_REGISTERED,
  /** A tenant-scoped helper was handed an EntityManager without a tenant. */
  LV_EM_NOT_SCOPED: errors.LV_EM_NOT_SCOPED,
  /** The application database role does not exist and could not be created. */
  LV_DB_APP_ROLE_MISSING: errors.LV_DB_APP_ROLE_MISSING,
  /** A database URL could not be parsed. */
  LV_DB_BAD_URL: errors.LV_DB_BAD_URL,
} as const;

export type DataErrorCode = keyof typeof DATA_ERRORS;

export class DataError extends LiveryError {
  declare readonly code: DataErrorCode;

  constructor(code: DataErrorCode, detail?: string) {
    super(code, detail, { message: `${code}: ${detail ?? DATA_ERRORS[code].message}` });
    this.name = 'DataError';
  }
}

export function isDataError(error: unknown, code?: DataErrorCode): error is DataError {
  return error instanceof DataError && (code === undefined || error.code === code);
}

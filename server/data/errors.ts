/**
 * Data-layer errors are data: a stable code, a message, and the HTTP status a
 * caller should map them to. The codes are meant to join the project-wide
 * registry (`server/errors.ts`) once it exists; until then they live here.
 */

export const DATA_ERRORS = {
  /** No tenant (undefined, null, '' or blank) reached a tenant-scoped entry point. */
  LV_TENANT_REQUIRED: { status: 500, message: 'a tenant id is required for tenant-scoped data access' },
  /** Data names a tenant other than the one the EntityManager is scoped to. */
  LV_TENANT_MISMATCH: { status: 403, message: 'the data names another tenant' },
  /** A tenant-scoped helper was used with an entity that is not tenant-owned. */
  LV_NOT_TENANT_OWNED: { status: 500, message: 'the entity is not tenant-owned' },
  /** A tenant-scoped helper was handed an EntityManager without a tenant. */
  LV_EM_NOT_SCOPED: { status: 500, message: 'the EntityManager is not scoped to a tenant' },
  /** The application database role does not exist and could not be created. */
  LV_DB_APP_ROLE_MISSING: { status: 500, message: 'the application database role is missing' },
  /** A database URL could not be parsed. */
  LV_DB_BAD_URL: { status: 500, message: 'the database URL is not valid' },
} as const;

export type DataErrorCode = keyof typeof DATA_ERRORS;

export class DataError extends Error {
  readonly code: DataErrorCode;
  readonly status: number;

  constructor(code: DataErrorCode, detail?: string) {
    super(`${code}: ${detail ?? DATA_ERRORS[code].message}`);
    this.name = 'DataError';
    this.code = code;
    this.status = DATA_ERRORS[code].status;
  }
}

export function isDataError(error: unknown, code?: DataErrorCode): error is DataError {
  return error instanceof DataError && (code === undefined || error.code === code);
}

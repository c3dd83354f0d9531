/**
 * Resumable uploads (docs/uploads.md): views declare upload fields, the browser uploads over tus
 * to `/_livery/uploads`, and the view's `handleUpload(field, file)` receives each complete file.
 */
export type { UploadEntry, UploadFieldState, UploadsState } from './fields.ts';
export { fieldOf, initialUploadsState, uploadFieldProblems, UPLOADS_STATE_KEY } from './fields.ts';
export { LocalUploadStore } from './local-store.ts';
export { MemoryUploadMeta, RedisUploadMeta } from './meta.ts';
export { Uploads, type FileOffer, type UploadContext, type UploadedFile, type UploadGrant, type UploadsOptions } from './service.ts';
export { handleTus, tusOptions, TUS_CONTENT_TYPE, TUS_VERSION, type TusRequest, type TusResponse } from './tus.ts';
export type { UploadField, UploadFieldOptions, UploadFields, UploadLock, UploadMeta, UploadRecord, UploadStore } from './types.ts';

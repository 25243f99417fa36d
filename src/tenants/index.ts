// What the tenants feature offers the rest of Vigil; other features import from here only.
export { TenantSettingsService } from './tenant-settings.service.js';
export { TENANT_ROUTE_DOCS } from './tenants.openapi.js';
export { ApiKeysService } from './api-keys.service.js';

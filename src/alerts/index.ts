// What the alerts feature offers the rest of Vigil; other features import from here only.
export { DEFAULT_CORRELATION, fingerprintOf } from './correlation.js';
export { genericAlertSchema } from './normalizers/generic.normalizer.js';
export { SETTINGS_ROUTE_DOCS } from './settings.openapi.js';
export { detectSource, NORMALIZERS } from './normalizers/index.js';
export { ALERT_READ_ROUTE_DOCS } from './alerts.openapi.js';
export { alertPath } from './alert-links.js';

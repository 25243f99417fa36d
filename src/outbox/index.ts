// What the outbox feature offers the rest of Vigil; other features import from here only.
export { OutboxRelay } from './outbox-relay.service.js';
export { alertAddedInsert } from './outbox.repository.js';

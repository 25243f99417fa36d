import { Module } from '@nestjs/common';
import { ConnectionsController } from './connections.controller.js';
import { IntegrationAvailabilityService } from './integration-availability.service.js';
import { IntegrationsController } from './integrations.controller.js';
import { ProtectedAssetsController } from './protected-assets.controller.js';
import { SlackInteractionsService } from './slack-interactions.service.js';

/** The integrations API: connections, protected assets, the action catalogue and vendor callbacks. Its services come from CoreModule. */
@Module({
  controllers: [ConnectionsController, ProtectedAssetsController, IntegrationsController],
  providers: [IntegrationAvailabilityService, SlackInteractionsService],
})
export class IntegrationsApiModule {}

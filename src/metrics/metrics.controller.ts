import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../common/auth/principal.js';
import { MetricsAccess } from './metrics-access.js';
import { MetricsExposition } from './metrics-exposition.service.js';

/** `GET /metrics`: Prometheus text exposition for operators (metrics token or MSSP operator key; see `MetricsAccess`). */
@Controller()
export class MetricsController {
  constructor(
    @Inject(MetricsAccess) private readonly access: MetricsAccess,
    @Inject(MetricsExposition) private readonly exposition: MetricsExposition,
  ) {}

  // Public to the key guard only: a scraper's token is no API key, so MetricsAccess decides instead.
  @Get('metrics')
  @Public()
  async metrics(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.access.check(req.headers.authorization);
    const text = await this.exposition.render(true);
    res.status(200).type(this.exposition.contentType).send(text);
  }
}

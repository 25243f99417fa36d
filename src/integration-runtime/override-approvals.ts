import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRows } from '../persistence/query-rows.js';

export interface OverrideCheck {
  tenantId: string;
  caseId: string | undefined;
  action: string;
  approvalId: string;
}

/**
 * Checks the approval a containment step carries as its override for a protected asset: it must be
 * an approval of this tenant and case, approved by people (not by a timeout's default outcome), and
 * it must have guarded this very action. The workflow sets the override; this makes sure it is real.
 */
@Injectable()
export class OverrideApprovals {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async isValid(check: OverrideCheck): Promise<boolean> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(check.approvalId) || !check.caseId) return false;
    const rows = await queryRows<{ id: string }>(
      this.db,
      `SELECT id FROM approvals WHERE tenant_id = $1 AND id = $2 AND case_id = $3 AND status = 'approved' AND outcome = 'approve' AND action = $4`,
      [check.tenantId, check.approvalId, check.caseId, check.action],
    );
    return rows.length > 0;
  }
}

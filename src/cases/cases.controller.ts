import { Controller, Get, HttpCode, Inject, Param, Patch, Post, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { Origin, type RequestOrigin } from '../common/http/request-origin.js';
import { parseBody, parseQuery } from '../common/http/request-validation.js';
import { CASE_WRITE_ROLES, CurrentPrincipal, type Principal, READ_ROLES, Roles } from '../common/auth/principal.js';
import { CaseNotesService } from './case-notes.service.js';
import { CaseUpdatesService, type MergeResult } from './case-updates.service.js';
import {
  type CaseSummary,
  type CommentView,
  commentBody,
  createTaskBody,
  listCasesQuery,
  mergeBody,
  patchCaseBody,
  patchTaskBody,
  revertBody,
  type TaskView,
} from './case.schemas.js';
import { type CaseView, CasesService } from './cases.service.js';

@Controller('api/v1/cases')
export class CasesController {
  constructor(
    @Inject(CasesService) private readonly cases: CasesService,
    @Inject(CaseUpdatesService) private readonly updates: CaseUpdatesService,
    @Inject(CaseNotesService) private readonly notes: CaseNotesService,
  ) {}

  @Get()
  @Roles(...READ_ROLES)
  list(@CurrentPrincipal() principal: Principal, @Query() query: unknown): Promise<{ items: CaseSummary[]; nextCursor: string | null }> {
    return this.cases.list(principal.tenantId, parseQuery(listCasesQuery, query));
  }

  @Get(':id')
  @Roles(...READ_ROLES)
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<CaseView> {
    return this.cases.get(principal.tenantId, id);
  }

  @Patch(':id')
  @Roles(...CASE_WRITE_ROLES)
  patch(@CurrentPrincipal() principal: Principal, @Origin() origin: RequestOrigin, @Param('id') id: string, @Req() req: Request): Promise<CaseSummary> {
    return this.updates.patch(principal, origin, id, parseBody(patchCaseBody, req));
  }

  @Get(':id/comments')
  @Roles(...READ_ROLES)
  comments(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<{ items: CommentView[] }> {
    return this.notes.comments(principal.tenantId, id);
  }

  @Post(':id/comments')
  @HttpCode(201)
  @Roles(...CASE_WRITE_ROLES)
  comment(@CurrentPrincipal() principal: Principal, @Origin() origin: RequestOrigin, @Param('id') id: string, @Req() req: Request): Promise<CommentView> {
    return this.notes.addComment(principal, origin, id, parseBody(commentBody, req).body);
  }

  @Get(':id/tasks')
  @Roles(...READ_ROLES)
  tasks(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<{ items: TaskView[] }> {
    return this.notes.tasks(principal.tenantId, id);
  }

  @Post(':id/tasks')
  @HttpCode(201)
  @Roles(...CASE_WRITE_ROLES)
  addTask(@CurrentPrincipal() principal: Principal, @Origin() origin: RequestOrigin, @Param('id') id: string, @Req() req: Request): Promise<TaskView> {
    return this.notes.addTask(principal, origin, id, parseBody(createTaskBody, req));
  }

  @Patch(':id/tasks/:taskId')
  @Roles(...CASE_WRITE_ROLES)
  updateTask(
    @CurrentPrincipal() principal: Principal,
    @Origin() origin: RequestOrigin,
    @Param('id') id: string,
    @Param('taskId') taskId: string,
    @Req() req: Request,
  ): Promise<TaskView> {
    return this.notes.updateTask(principal, origin, id, taskId, parseBody(patchTaskBody, req));
  }

  @Post(':id/merge')
  @HttpCode(200)
  @Roles(...CASE_WRITE_ROLES)
  merge(@CurrentPrincipal() principal: Principal, @Origin() origin: RequestOrigin, @Param('id') id: string, @Req() req: Request): Promise<MergeResult> {
    return this.updates.merge(principal, origin, id, parseBody(mergeBody, req).into);
  }

  @Post(':id/revert')
  @HttpCode(202)
  @Roles(...CASE_WRITE_ROLES)
  revert(@CurrentPrincipal() principal: Principal, @Origin() origin: RequestOrigin, @Param('id') id: string, @Req() req: Request): Promise<{ revertWorkflowId: string }> {
    return this.updates.revert(principal, origin, id, parseBody(revertBody, req, { emptyAsObject: true }).reason);
  }
}

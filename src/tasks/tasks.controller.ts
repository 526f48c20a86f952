import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal, RequestMeta } from '../access/principal';
import { CurrentPrincipal, Meta } from '../access/route.decorators';
import { CaseIdPipe, IdPipe } from '../common/ids';
import { ApiProblems } from '../common/openapi';
import { CaseTasksQuery, CreateTaskDto, MyTasksQuery, TaskDto, TaskPageDto, TaskUserDto, UpdateTaskDto } from './dto/task.dto';
import { TasksService } from './tasks.service';

@ApiTags('tasks')
@ApiBearerAuth()
@Controller()
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Post('cases/:id/tasks')
  @ApiOperation({ summary: 'Set a task for a caseworker of your organisation who may see the case; due reminder task.due. Audited as case.task.create.' })
  @ApiCreatedResponse({ type: TaskDto })
  @ApiProblems(400, 401, 403, 404, 409, 422)
  create(@CurrentPrincipal() principal: Principal, @Param('id', CaseIdPipe) caseId: string, @Body() body: CreateTaskDto, @Meta() meta: RequestMeta) {
    return this.tasks.create(principal, caseId, body, meta);
  }

  @Get('cases/:id/tasks')
  @ApiOperation({ summary: 'Your organisation’s tasks on the case, soonest due first. Audited as case.task.list.' })
  @ApiOkResponse({ type: TaskPageDto })
  @ApiProblems(400, 401, 403, 404)
  listForCase(@CurrentPrincipal() principal: Principal, @Param('id', CaseIdPipe) caseId: string, @Query() query: CaseTasksQuery, @Meta() meta: RequestMeta) {
    return this.tasks.listForCase(principal, caseId, query, meta);
  }

  @Get('cases/:id/assignees')
  @ApiOperation({ summary: 'Who a task on the case may be given to: your organisation’s caseworkers who may see it. Audited as case.task.assignees.' })
  @ApiOkResponse({ type: [TaskUserDto] })
  @ApiProblems(401, 403, 404)
  assignees(@CurrentPrincipal() principal: Principal, @Param('id', CaseIdPipe) caseId: string, @Meta() meta: RequestMeta): Promise<TaskUserDto[]> {
    return this.tasks.assignees(principal, caseId, meta);
  }

  @Get('tasks')
  @ApiOperation({ summary: 'Your tasks (assignee=me), soonest due first, on cases you may still work on. Audited as task.list.' })
  @ApiOkResponse({ type: TaskPageDto })
  @ApiProblems(400, 401)
  listMine(@CurrentPrincipal() principal: Principal, @Query() query: MyTasksQuery, @Meta() meta: RequestMeta) {
    return this.tasks.listMine(principal, query, meta);
  }

  @Patch('tasks/:id')
  @ApiOperation({ summary: 'Mark a task done or open again (organisation that set it, open case). Audited as case.task.update.' })
  @ApiOkResponse({ type: TaskDto })
  @ApiProblems(400, 401, 403, 404, 409)
  setStatus(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new IdPipe('Task not found')) id: string,
    @Body() body: UpdateTaskDto,
    @Meta() meta: RequestMeta,
  ) {
    return this.tasks.setStatus(principal, id, body.status, meta);
  }
}

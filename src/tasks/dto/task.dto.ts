import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { PageQueryDto } from '../../common/page-query.dto';

export const TASK_STATUSES = ['open', 'done'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export class CreateTaskDto {
  @ApiProperty({ maxLength: 500, description: 'Stored encrypted; never in notifications' })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  title!: string;

  @ApiProperty({ format: 'uuid', description: 'A user of your organisation who may see the case' })
  @IsUUID()
  assigneeId!: string;

  @ApiProperty({ format: 'date-time', description: 'The assignee is reminded (task.due) at this time if the task is still open' })
  @IsISO8601({ strict: true })
  dueAt!: string;
}

export class UpdateTaskDto {
  @ApiProperty({ enum: TASK_STATUSES }) @IsIn(TASK_STATUSES) status!: TaskStatus;
}

export class MyTasksQuery extends PageQueryDto {
  @ApiProperty({ enum: ['me'], description: 'Only your own tasks can be listed' }) @IsIn(['me']) assignee!: 'me';
  @ApiPropertyOptional({ enum: TASK_STATUSES }) @IsOptional() @IsIn(TASK_STATUSES) status?: TaskStatus;
}

export class CaseTasksQuery extends PageQueryDto {
  @ApiPropertyOptional({ enum: TASK_STATUSES }) @IsOptional() @IsIn(TASK_STATUSES) status?: TaskStatus;
}

export class TaskUserDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
}

export class TaskDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) caseId!: string;
  @ApiProperty({ example: 'BE-2026-000042' }) caseReference!: string;
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ type: TaskUserDto }) assignee!: TaskUserDto;
  @ApiProperty({ type: TaskUserDto }) createdBy!: TaskUserDto;
  @ApiProperty({ format: 'date-time' }) dueAt!: string;
  @ApiProperty({ enum: TASK_STATUSES }) status!: TaskStatus;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) doneAt!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class TaskPageDto {
  @ApiProperty({ type: [TaskDto] }) items!: TaskDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

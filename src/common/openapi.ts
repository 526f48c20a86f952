import { applyDecorators, type INestApplication } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  DocumentBuilder,
  getSchemaPath,
  type OpenAPIObject,
  SwaggerModule,
} from '@nestjs/swagger';
import { problemTitle } from './problem';

export class ProblemFieldErrorDto {
  @ApiProperty({ example: 'admin.password' }) path!: string;
  @ApiProperty({ example: 'must be longer than or equal to 12 characters' }) message!: string;
}

/** RFC 9457 problem details, the body of every error. */
export class ProblemDto {
  @ApiProperty({ example: '/problems/validation', description: 'Stable slug to branch on' }) type!: string;
  @ApiProperty({ example: 'Bad Request' }) title!: string;
  @ApiProperty({ example: 400 }) status!: number;
  @ApiProperty({ example: 'The request is invalid' }) detail!: string;
  @ApiPropertyOptional({ type: [ProblemFieldErrorDto], description: 'One entry per invalid or unknown field' }) errors?: ProblemFieldErrorDto[];
}

/** Documents the error answers of a route as application/problem+json. */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: problemTitle(status),
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDto) } } },
      }),
    ),
  );
}

/** The API's OpenAPI document, the same whether served at /docs-json or written by `npm run openapi`. */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  return SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Passage API')
      .setDescription('Case coordination for victims of human trafficking in the Benelux. Errors are application/problem+json (RFC 9457).')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
}

import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsUUID } from 'class-validator';
import { OrganisationRefDto } from '../../common/readable';

/** One page of a screen names at most this many people at once. */
export const DIRECTORY_MAX_IDS = 100;

export class DirectoryQueryDto {
  @ApiProperty({
    type: [String],
    description: `User ids, comma-separated or repeated (at most ${DIRECTORY_MAX_IDS}); ids unknown or outside your scope are simply absent from the answer`,
  })
  // `ids=a,b` and `ids=a&ids=b` both arrive as one list.
  @Transform(({ value }: { value: unknown }) =>
    (Array.isArray(value) ? value : [value]).flatMap((item) => (typeof item === 'string' ? item.split(',') : [item])),
  )
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(DIRECTORY_MAX_IDS)
  @IsUUID('all', { each: true })
  ids!: string[];
}

export class DirectoryEntryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'Jan Peeters' }) name!: string;
  @ApiProperty({ type: OrganisationRefDto }) organisation!: OrganisationRefDto;
}

export class DirectoryDto {
  @ApiProperty({ type: [DirectoryEntryDto] }) items!: DirectoryEntryDto[];
}

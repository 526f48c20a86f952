import { Injectable, type PipeTransform } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { type Section, SECTIONS } from '../access/policy';
import { Problem } from '../common/problem';

/** A case id that is not even a UUID names no case: 404, like any case the user cannot see. */
@Injectable()
export class CaseIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isUUID(value)) throw Problem.notFound('Case not found');
    return value;
  }
}

@Injectable()
export class SectionPipe implements PipeTransform<string, Section> {
  transform(value: string): Section {
    if (!(SECTIONS as string[]).includes(value)) throw Problem.notFound(`No section "${value.slice(0, 40)}"; sections are ${SECTIONS.join(', ')}`);
    return value as Section;
  }
}

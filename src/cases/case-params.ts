import { Injectable, type PipeTransform } from '@nestjs/common';
import { type Section, SECTIONS } from '../access/policy';
import { Problem } from '../common/problem';

@Injectable()
export class SectionPipe implements PipeTransform<string, Section> {
  transform(value: string): Section {
    if (!(SECTIONS as string[]).includes(value)) throw Problem.notFound(`No such section; sections are ${SECTIONS.join(', ')}`);
    return value as Section;
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

export class UserLanguageGerman1764800000000 implements MigrationInterface {
  name = 'UserLanguageGerman1764800000000';

  async up(db: QueryRunner): Promise<void> {
    // The web app and the e-mails speak German too (PATCH /api/me { language: "de" }).
    await db.query(`ALTER TABLE "user" DROP CONSTRAINT user_language_check`);
    await db.query(`ALTER TABLE "user" ADD CONSTRAINT user_language_check CHECK (language IN ('en','nl','fr','de'))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`UPDATE "user" SET language = 'en' WHERE language = 'de'`);
    await db.query(`ALTER TABLE "user" DROP CONSTRAINT user_language_check`);
    await db.query(`ALTER TABLE "user" ADD CONSTRAINT user_language_check CHECK (language IN ('en','nl','fr'))`);
  }
}

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { PUBLIC_ROUTE, REQUIRED_ROLES } from '../src/access/route.decorators';
import type { Role } from '../src/access/role';
import { TestApp } from './support/app';

const SNAPSHOT = join(__dirname, 'route-access.snapshot.json');

/** What a route asks of the caller before its handler runs (the global AuthGuard reads the same metadata). */
type Requirement = 'public' | 'signed-in' | `roles: ${string}`;

const joinPath = (...parts: string[]) =>
  `/${parts
    .flatMap((part) => part.split('/'))
    .filter(Boolean)
    .join('/')}`;

/**
 * Issue 9: every route with what it requires, read from Nest's own route metadata and compared
 * with the committed snapshot, so a new route (or a guard taken off one) cannot land unseen.
 * "signed-in" routes decide on the record in the service, through src/access. After a deliberate
 * change, run with UPDATE_ROUTE_SNAPSHOT=1 and commit the file.
 */
describe('route access snapshot', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(async () => {
    await t.close();
  });

  it('lists every route with the role or sign-in it requires, as committed', () => {
    const reflector = new Reflector();
    const routes: Record<string, Requirement> = {};
    for (const module of t.app.get(ModulesContainer).values()) {
      for (const wrapper of module.controllers.values()) {
        const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
        if (!controller) continue;
        const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
        for (const name of Object.getOwnPropertyNames(controller.prototype)) {
          const handler = (controller.prototype as Record<string, unknown>)[name];
          if (name === 'constructor' || typeof handler !== 'function') continue;
          const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
          if (method === undefined) continue;
          const path = String(Reflect.getMetadata(PATH_METADATA, handler) ?? '');
          const targets = [handler, controller];
          const roles = reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets);
          const requirement: Requirement = reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)
            ? 'public'
            : roles
              ? `roles: ${[...roles].sort().join(', ')}`
              : 'signed-in';
          routes[`${RequestMethod[method]} ${joinPath('api', base, path)}`] = requirement;
        }
      }
    }
    const generated = Object.fromEntries(Object.entries(routes).sort(([a], [b]) => a.localeCompare(b)));
    if (process.env.UPDATE_ROUTE_SNAPSHOT === '1') writeFileSync(SNAPSHOT, `${JSON.stringify(generated, null, 2)}\n`);
    expect(Object.keys(generated).length).toBeGreaterThan(40);
    expect(generated).toEqual(JSON.parse(readFileSync(SNAPSHOT, 'utf8')));
  });
});

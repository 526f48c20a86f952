import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isForbiddenAddress, postToWebhook, webhookTargetProblem } from './webhook-target';

describe('webhook targets', () => {
  describe('isForbiddenAddress', () => {
    it.each([
      '127.0.0.1',
      '127.255.255.254',
      '0.0.0.0',
      '0.1.2.3',
      '10.1.2.3',
      '100.64.0.1',
      '169.254.169.254',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '192.0.0.8',
      '198.18.0.1',
      '224.0.0.1',
      '239.255.255.250',
      '255.255.255.255',
      '::',
      '::1',
      '[::1]',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '0:0:0:0:0:ffff:7f00:1',
      '::ffff:a9fe:a9fe',
      '::127.0.0.1',
      '64:ff9b::7f00:1',
      '2002:7f00:1::',
      'fc00::1',
      'fd12:3456::1',
      'fe80::1',
      'ff02::1',
      'not-an-address',
    ])('refuses %s', (address) => {
      expect(isForbiddenAddress(address)).toBe(true);
    });

    it.each(['93.184.215.14', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2a00:1450:4001:80b::200e', '::ffff:8.8.8.8'])('allows the public %s', (address) => {
      expect(isForbiddenAddress(address)).toBe(false);
    });
  });

  describe('at registration', () => {
    it.each([
      'http://127.0.0.1:3000/api/health',
      'http://169.254.169.254/latest/meta-data/',
      'http://localhost:3000/api/cases',
      'http://api.localhost/',
      'http://0x7f000001/',
      'http://2130706433/',
      'http://0177.0.0.1/',
      'http://127.1/',
      'http://[::1]:8080/',
      'http://[::ffff:127.0.0.1]/',
      'http://10.0.0.5/',
      'http://192.168.0.1/',
      'http://100.64.1.1/',
      'http://0.0.0.0:3000/',
      'http://224.0.0.1/',
      'http://[fd00::1]/',
      'http://[fe80::1]/',
    ])('refuses %s', async (url) => {
      expect(await webhookTargetProblem(url, false)).toBe('points into a private or special-purpose network');
    });

    it('refuses credentials in the URL', async () => {
      expect(await webhookTargetProblem('https://user:pass@agency.example/hook', false)).toBe('must not contain a user name or password');
    });

    it('accepts public addresses, and anything when private networks are allowed (tests only)', async () => {
      expect(await webhookTargetProblem('https://93.184.215.14/hook', false)).toBeUndefined();
      expect(await webhookTargetProblem('http://127.0.0.1:3000/hook', true)).toBeUndefined();
    });
  });

  describe('at connect time', () => {
    const servers: Server[] = [];
    const received: string[] = [];
    const listen = async (answer: (path: string) => [number, Record<string, string>]): Promise<number> => {
      const server = createServer((request, response) => {
        received.push(`${server.address() ? (server.address() as AddressInfo).port : 0}${request.url ?? ''}`);
        const [status, headers] = answer(request.url ?? '/');
        response.writeHead(status, headers).end();
      });
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return (server.address() as AddressInfo).port;
    };
    afterAll(async () => {
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    });
    beforeEach(() => received.splice(0));

    const post = (url: string, allowPrivateNetworks = false) =>
      postToWebhook({ url, headers: { 'content-type': 'application/json' }, body: '{}', timeoutMs: 5000, allowPrivateNetworks });

    it('refuses an address literal and a name that resolves into a private network, without sending anything', async () => {
      const port = await listen(() => [200, {}]);
      await expect(post(`http://127.0.0.1:${port}/hook`)).rejects.toThrow(/refused: 127\.0\.0\.1 points into a private/);
      // The registration check would have refused "localhost" by name; a name that resolved elsewhere then is checked again now.
      await expect(post(`http://localhost:${port}/hook`)).rejects.toThrow(/refused: localhost points into a private/);
      await expect(post(`http://0x7f000001:${port}/hook`)).rejects.toThrow(/refused/);
      expect(received).toEqual([]);
    });

    it('delivers to a local receiver only with WEBHOOK_ALLOW_PRIVATE_NETWORKS, and never follows a redirect', async () => {
      const target = await listen(() => [200, {}]);
      const redirecting = await listen(() => [307, { location: `http://127.0.0.1:${target}/elsewhere` }]);
      expect(await post(`http://127.0.0.1:${target}/hook`, true)).toBe(200);
      expect(await post(`http://localhost:${redirecting}/hook`, true)).toBe(307);
      expect(received).toEqual([`${target}/hook`, `${redirecting}/hook`]);
    });
  });
});

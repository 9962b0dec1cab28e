// What an operator reads when the database cannot be reached: each way a connection fails is named
// (a server that never answers is not "a connection lost"; a host name that does not resolve says so),
// and the message never carries the password.

import assert from 'node:assert/strict';
import { unavailable } from '../../src/store/postgres/database.ts';

const location = 'postgres://denglu@db.example:5432/denglu';

describe('PostgreSQL errors as the operator reads them', () => {
  it('a server that accepts but never answers: "did not answer", not "connection lost"', () => {
    // pg's words: a pooled connection, and a client's connect() (migrations, db status)
    for (const message of ['Connection terminated due to connection timeout', 'timeout expired']) {
      const err = unavailable(new Error(message), location);
      assert.equal(err.code, 'ERR_STORE_UNAVAILABLE');
      assert.match(err.message, /^store unavailable at postgres:\/\/denglu@db\.example:5432\/denglu: the database did not answer in time/);
    }
  });

  it('a host name that does not resolve: names the host lookup', () => {
    const dns = Object.assign(new Error('getaddrinfo ENOTFOUND db.example'), { code: 'ENOTFOUND' });
    assert.match(unavailable(dns, location).message, /: the database host name does not resolve \(ENOTFOUND db\.example\)$/);
  });

  it('a connection that was cut is still "lost"', () => {
    assert.match(unavailable(new Error('Connection terminated unexpectedly'), location).message, /the database connection was lost$/);
  });
});

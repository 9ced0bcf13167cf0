/**
 * Says which database the suites run on. On SQLite (npm test) it names the
 * server runs it skipped. (Jest loads this file outside its module system, so
 * it imports nothing; reachability of a server is checked by the first test
 * database it creates, see helpers/database.ts.)
 */
export default function globalSetup(): void {
  const engine = process.env['JIT_TEST_DATABASE'] ?? 'sqlite';
  console.log(
    engine === 'sqlite'
      ? '\nDatabase suites run on SQLite here. Skipped: the same suites on PostgreSQL (npm run test:postgres) and MariaDB/MySQL (npm run test:mysql); CI runs both.'
      : `\nDatabase suites run on ${engine}, one fresh database per test.`,
  );
}

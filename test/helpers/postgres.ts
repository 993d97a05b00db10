/** The tests' PostgreSQL: a throw-away cluster (the benchmark uses the same). */
export { startPostgres, type TestPostgres } from '../../tools/queue/throwaway-postgres.js';

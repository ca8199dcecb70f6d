// drizzle-kit reads the schema and writes SQL migrations that wrangler applies (`db:migrate:local`).
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema.ts',
  out: './migrations',
});
